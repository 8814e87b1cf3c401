import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GROWN_CHARS, PARAGRAPH_BREAK, planJobChunks } from './chunking.ts';
import { paginate } from './pages.ts';

const NOVEL = join(import.meta.dirname, '../../test/fixtures/corpus/pride_and_prejudice.txt');

/** Chunks of a text planned page by page, as the Durable Object does. */
function pagedChunks(text: string, target?: number, max?: number) {
  const out: { text: string; paragraphStart: boolean }[] = [];
  for (const page of paginate(text, target, max)) {
    if (!/\S/.test(page.text)) continue;
    const chunks = planJobChunks(page.text, {}, Math.max(0, 3 - out.length), { maxChars: DEFAULT_GROWN_CHARS, grownBefore: Math.max(0, out.length - 3) });
    if (page.continuesParagraph && chunks[0]) chunks[0] = { ...chunks[0], paragraphStart: false };
    out.push(...chunks);
  }
  return out;
}

describe('paginate', () => {
  it('keeps every character, in order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 20, max: 200 }), (text, target) => {
        const pages = paginate(text, target, target * 4);
        const joinedLength = pages.reduce((n, p) => n + p.text.length, 0);
        expect(joinedLength).toBeLessThanOrEqual(text.length);
        for (const p of pages) expect(text.includes(p.text)).toBe(true);
      }),
    );
  });

  it('splits the novel page by page into the same text, paragraphs and limits as at once', () => {
    const novel = readFileSync(NOVEL, 'utf8');
    const pages = paginate(novel);
    expect(pages.length).toBeGreaterThan(40);
    expect(pages.every((p) => !p.continuesParagraph)).toBe(true);
    const paged = pagedChunks(novel);
    const whole = planJobChunks(novel);
    const norm = (cs: { text: string }[]) => cs.map((c) => c.text).join(' ').replace(/\s+/g, ' ');
    expect(norm(paged)).toBe(norm(whole));
    // Paragraphs start a chunk or sit after a break inside one (grown chunks span paragraphs).
    const paragraphs = (cs: { text: string; paragraphStart: boolean }[]) => cs.reduce((n, c) => n + (c.paragraphStart ? 1 : 0) + c.text.split(PARAGRAPH_BREAK).length - 1, 0);
    expect(paragraphs(paged)).toBe(paragraphs(whole));
    expect(Math.abs(paged.length - whole.length)).toBeLessThan(whole.length * 0.03);
    expect(paged.every((c) => [...c.text].length <= DEFAULT_GROWN_CHARS && c.text.trim().length > 0)).toBe(true);
  });

  it('makes a small first page when asked (the creating request splits it), then pages of the usual size', () => {
    const novel = readFileSync(NOVEL, 'utf8');
    const pages = paginate(novel, 16_384, 65_536, 2_048);
    expect(pages[0]!.text.length).toBeGreaterThanOrEqual(2_048);
    expect(pages[0]!.text.length).toBeLessThan(8_192);
    expect(pages[1]!.text.length).toBeGreaterThanOrEqual(16_384);
    expect(pages.map((p) => p.text).join('').replace(/\s+/g, '')).toBe(novel.replace(/\s+/g, ''));
    const para = Array.from({ length: 3000 }, (_, i) => `Sentence ${i} of one endless paragraph.`).join(' ');
    expect(paginate(para, 16_384, 65_536, 2_048)[0]!.text.length).toBeLessThanOrEqual(8_192);
  });

  it('cuts one huge paragraph at line or sentence ends, marking the continuation', () => {
    const para = Array.from({ length: 3000 }, (_, i) => `Sentence ${i} of one endless paragraph.`).join(' ');
    const pages = paginate(para);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(1).every((p) => p.continuesParagraph)).toBe(true);
    expect(pages.every((p) => p.text.length <= 65_536)).toBe(true);
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    expect(norm(pagedChunks(para).map((c) => c.text).join(' '))).toBe(norm(para));
  });

  it('a page cut at a blank line before the target starts the next page as a paragraph', () => {
    // A short paragraph, then one long one (single line ends only, as in hard-wrapped text) with no
    // blank line within the first page's limit: the last line end in the window is the blank line.
    const first = 'A short opening paragraph of a few words, long enough to pass half the first target. '.repeat(16).trim();
    const long = Array.from({ length: 400 }, (_, i) => `Sentence ${i} of a long paragraph with no line end at all.`).join(' ');
    for (const blank of ['\n\n', '\n  \n']) {
      const pages = paginate(first + blank + long, 16_384, 65_536, 2_048);
      expect(pages[0]!.text.trim()).toBe(first);
      expect(pages[1]!.continuesParagraph).toBe(false);
    }
    // A cut at a single line end inside a paragraph still continues it.
    const wrapped = first + '\n' + long;
    expect(paginate(wrapped, 16_384, 65_536, 2_048)[1]!.continuesParagraph).toBe(true);
  });
});
