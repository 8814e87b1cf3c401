// Property-based tests of the splitting invariants (issue 3, section 1) over
// arbitrary Unicode, hostile punctuation soup and sentence-like prose.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLectorError } from '../errors.ts';
import { getTextCharacterCount } from './count.ts';
import { normalizeText, paragraphsOf } from './normalize.ts';
import { splitParagraphs, splitText } from './split.ts';
import type { SplitOptions, TextChunk } from './split.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);
const withoutWhitespace = (s: string): string => s.replace(/\s+/gu, '');

/** Any UTF-16 code unit: lone surrogates, controls, everything. */
const utf16 = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 200 });
/** Pieces that stress the corrections, the cutter and normalization. */
const soupUnit = fc.constantFrom(
  ' ', '  ', '\t', '\n', '\n\n', '\r\n', '\u2029', '\u00A0', '\u3000', '.', '...', '…', '!', '?', '?!', ',', ';', ':', '—', '–',
  '"', '“', '”', '‘', '’', "'", '(', ')', '[', ']', 'Mr.', 'mrs.', 'e.g.', 'J.', 'U.S.', 'No.', '1.', '2)', '- ', '3.14', '$4.99',
  'https://ex.com/a.b?c=D', 'a@b.co', 'word', 'Word', 'WORD', 'x', 'I', '😀', '👨‍👩‍👧', '🇺🇸', '\u0301', 'é', '这是', '。', '，', '！',
  'مرحبا', '؟', 'שלום', 'สวัสดี', '\u0000', '\u0007', '\uFEFF', '\u00AD', '\uD800', '\uDC00', '\u200B',
);
const soup = fc.string({ unit: soupUnit, maxLength: 120 });

const vocabulary = ['the', 'gentleman', 'said', 'Mr.', 'Darcy', 'e.g.', 'J.', 'R.', 'at', '3.14', 'a.m.', 'www.example.com/x?y=1', 'it', 'was', 'very', 'unreasonably', 'long-winded'];
const sentence = fc
  .tuple(
    fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 60 }),
    fc.constantFrom('.', '!', '?', '...', '."', '!”', ';', ''),
    fc.constantFrom('', ',', ' —'),
  )
  .map(([words, end, mid]) => {
    const text = words.join(' ');
    const half = Math.floor(text.length / 2);
    return `${text[0]!.toUpperCase()}${text.slice(1, half)}${mid}${text.slice(half)}${end}`;
  });
const prose = fc
  .array(fc.array(sentence, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 })
  .map((paragraphs) => paragraphs.map((p) => p.join(' ').replace(/(.{40,60}) /g, '$1\n')).join('\n\n'));

const options: fc.Arbitrary<SplitOptions> = fc
  .record({
    preference: fc.constantFrom('sentence' as const, 'tokenCount' as const),
    maxChars: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 600 })),
    targetFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    maxTokens: fc.integer({ min: 1, max: 50 }),
  })
  .map(({ preference, maxChars, targetFraction, maxTokens }) => ({
    preference,
    maxChars,
    targetChars: Math.max(1, Math.round(maxChars * targetFraction)),
    maxTokens,
  }));

function paragraphCount(normalized: string): number {
  return paragraphsOf(normalized).length;
}

function checkInvariants(text: string, opts: SplitOptions): void {
  const normalized = normalizeText(text);
  let chunks: TextChunk[];
  try {
    chunks = splitText(text, opts);
  } catch (e) {
    // The only refusal for these inputs: nothing to speak.
    expect(isLectorError(e) && e.code === 'empty_text').toBe(true);
    expect(normalized).toBe('');
    return;
  }
  expect(withoutWhitespace(chunks.map((c) => c.text).join(' '))).toBe(withoutWhitespace(normalized));
  // Plain checks first (expect() per chunk is slow), then one assertion.
  const maxChars = opts.maxChars ?? 500;
  const bad = chunks.filter(
    (c) => c.text.length === 0 || c.text !== c.text.trim() || c.text.includes('\n') || getTextCharacterCount(c.text) > maxChars || !isWellFormed(c.text),
  );
  expect(bad).toEqual([]);
  expect(chunks[0]!.paragraphStart).toBe(true);
  expect(chunks.filter((c) => c.paragraphStart)).toHaveLength(paragraphCount(normalized));
  expect(splitText(text, opts)).toEqual(chunks);
}

describe('splitText invariants (fast-check)', () => {
  it('hold for arbitrary graphemes', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), options, checkInvariants), { numRuns: 300 });
  });

  it('hold for arbitrary code points', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), options, checkInvariants), { numRuns: 200 });
  });

  it('hold for arbitrary UTF-16, lone surrogates included', () => {
    fc.assert(fc.property(utf16, options, checkInvariants), { numRuns: 300 });
  });

  it('hold for punctuation, abbreviation and script soup', () => {
    fc.assert(fc.property(soup, options, checkInvariants), { numRuns: 500 });
  });

  it('hold for sentence-like prose, with the default options too', () => {
    fc.assert(fc.property(prose, options, checkInvariants), { numRuns: 200 });
    fc.assert(fc.property(prose, (text) => checkInvariants(text, {})), { numRuns: 100 });
  });

  it('merge sentences without exceeding the target unless one sentence does', () => {
    fc.assert(
      fc.property(prose, (text) => {
        const chunks = splitText(text, { targetChars: 120, maxChars: 200 });
        for (const chunk of chunks) {
          // Over the target only as a single sentence: nothing to merge it with.
          if (getTextCharacterCount(chunk.text) > 120) expect(splitText(chunk.text, { targetChars: 1, maxChars: 200 })).toHaveLength(1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('give the same chunks when split paragraph range by paragraph range', () => {
    fc.assert(
      fc.property(fc.oneof(prose, soup), options, fc.integer({ min: 1, max: 4 }), (text, opts, step) => {
        const paragraphs = paragraphsOf(normalizeText(text));
        fc.pre(paragraphs.length > 0);
        const pieces: TextChunk[] = [];
        for (let i = 0; i < paragraphs.length; i += step) pieces.push(...splitParagraphs(paragraphs, opts, i, i + step));
        expect(pieces).toEqual(splitText(text, opts));
      }),
      { numRuns: 200 },
    );
  });
});

describe('normalizeText properties (fast-check)', () => {
  it('is idempotent and yields NFC, well-formed text with only "\\n\\n" breaks', () => {
    fc.assert(
      fc.property(fc.oneof(utf16, soup, fc.string({ unit: 'grapheme', maxLength: 200 })), (text) => {
        const normalized = normalizeText(text);
        expect(normalizeText(normalized)).toBe(normalized);
        expect(normalized.normalize('NFC')).toBe(normalized);
        expect(isWellFormed(normalized)).toBe(true);
        expect(normalized).toBe(normalized.trim());
        expect(/[\0-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029]/u.test(normalized)).toBe(false);
        expect(normalized.replace(/\n\n/g, '')).not.toContain('\n');
        for (const paragraph of paragraphsOf(normalized)) expect(paragraph).toBe(paragraph.trim());
      }),
      { numRuns: 500 },
    );
  });
});
