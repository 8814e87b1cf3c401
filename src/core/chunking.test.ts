import { describe, expect, it } from 'vitest';
import { DEFAULT_GROWN_CHARS, PARAGRAPH_BREAK, planJobChunks } from './chunking.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitText } from './text/split.ts';

describe('planJobChunks', () => {
  it('keeps the first three chunks to one sentence each', () => {
    expect(planJobChunks('Hello there. This is Lector speaking. Goodbye for now.').map((c) => c.text)).toEqual([
      'Hello there.',
      'This is Lector speaking.',
      'Goodbye for now.',
    ]);
  });

  it('without growth, merges later sentences up to the target without crossing paragraphs', () => {
    const text = Array.from({ length: 20 }, (_, i) => `Sentence ${i} is short.`).join(' ') + '\n\nNew paragraph here. And more.';
    const chunks = planJobChunks(text, { targetChars: 62 }, 3, false);
    expect(chunks.slice(0, 3).map((c) => c.text)).toEqual(['Sentence 0 is short.', 'Sentence 1 is short.', 'Sentence 2 is short.']);
    expect(chunks[3]!.text).toBe('Sentence 3 is short. Sentence 4 is short. Sentence 5 is short.');
    expect(chunks.every((c) => c.text.length <= 62)).toBe(true);
    const para = chunks.find((c) => c.text.startsWith('New paragraph'));
    expect(para).toEqual({ text: 'New paragraph here. And more.', paragraphStart: true });
  });

  it('covers the same text as the splitter, in order', () => {
    const text = 'Mr. Smith went to Washington. He said hi!\n\nThen, at 3.14 p.m., he left. "Why?" she asked. Nobody knew.';
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    expect(norm(planJobChunks(text).map((c) => c.text).join(' '))).toBe(norm(splitText(text).map((c) => c.text).join(' ')));
  });

  it('leaves tokenCount and none to the splitter', () => {
    expect(planJobChunks('a b c d e', { preference: 'tokenCount', maxTokens: 2 })).toEqual(splitText('a b c d e', { preference: 'tokenCount', maxTokens: 2 }));
    expect(planJobChunks('One. Two.', { preference: 'none' })).toHaveLength(1);
  });

  it('grows chunks after the ramp (target doubles up to the cap) and joins paragraphs with a blank line', () => {
    const paras = Array.from({ length: 60 }, (_, p) => Array.from({ length: 4 }, (_, i) => `Paragraph ${p} has sentence ${i}.`).join(' '));
    const chunks = planJobChunks(paras.join('\n\n'), { targetChars: 100 }, 3, { maxChars: 400, grownBefore: 0 });
    const lens = chunks.map((c) => [...c.text].length);
    expect(lens.slice(0, 3).every((n) => n < 40)).toBe(true);
    expect(lens[3]).toBeLessThanOrEqual(100);
    expect(lens[4]).toBeLessThanOrEqual(200);
    expect(lens[4]).toBeGreaterThan(100);
    expect(lens.slice(5, -1).every((n) => n > 200 && n <= 400)).toBe(true);
    expect(chunks.some((c) => c.text.includes(PARAGRAPH_BREAK))).toBe(true);
    // Nothing lost or reordered, and every paragraph start is kept: a chunk's or a break inside one.
    const flat = planJobChunks(paras.join('\n\n'), { targetChars: 100 }, 3, false);
    expect(chunks.map((c) => c.text.replaceAll(PARAGRAPH_BREAK, ' ')).join(' ')).toBe(flat.map((c) => c.text).join(' '));
    const starts = (cs: typeof chunks) => cs.reduce((n, c) => n + (c.paragraphStart ? 1 : 0) + c.text.split(PARAGRAPH_BREAK).length - 1, 0);
    expect(starts(chunks)).toBe(60);
    expect(starts(flat)).toBe(60);
  });

  it('continues the growth of earlier pages (grownBefore) and keeps every chunk within the cap', () => {
    const text = Array.from({ length: 200 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const fresh = planJobChunks(text, {}, 0, { maxChars: DEFAULT_GROWN_CHARS, grownBefore: 0 });
    const later = planJobChunks(text, {}, 0, { maxChars: DEFAULT_GROWN_CHARS, grownBefore: 5 });
    expect([...fresh[0]!.text].length).toBeLessThanOrEqual(250);
    expect([...later[0]!.text].length).toBeGreaterThan(500);
    expect(later.every((c) => [...c.text].length <= DEFAULT_GROWN_CHARS)).toBe(true);
  });

  it('cuts the novel into ~5x fewer chunks than one paragraph at a time', () => {
    const novel = readFileSync(join(import.meta.dirname, '../../test/fixtures/corpus/pride_and_prejudice.txt'), 'utf8').slice(20_000, 70_000);
    const grown = planJobChunks(novel);
    const flat = planJobChunks(novel, {}, 3, false);
    expect(grown.length * 3).toBeLessThan(flat.length);
    expect(grown.every((c) => [...c.text].length <= DEFAULT_GROWN_CHARS)).toBe(true);
  });
});
