// The whole of Pride and Prejudice (765 KB) through normalization and every
// splitting preference: the invariants on a real novel.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getTextCharacterCount } from './count.ts';
import { normalizeText, paragraphsOf } from './normalize.ts';
import { splitText } from './split.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const novel = readFileSync(resolve(repoRoot, 'test/fixtures/corpus/pride_and_prejudice.txt'), 'utf8');
const withoutWhitespace = (s: string): string => s.replace(/\s+/gu, '');

describe('Pride and Prejudice', () => {
  const normalized = normalizeText(novel);
  const paragraphs = paragraphsOf(normalized);

  it('normalizes to paragraphs of joined lines', () => {
    expect(normalized.startsWith('Produced by Anonymous Volunteers')).toBe(true); // BOM and blank lines gone
    expect(normalized).toContain('It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.');
    expect(paragraphs.length).toBeGreaterThan(2000);
  });

  for (const preference of ['sentence', 'tokenCount'] as const) {
    it(`satisfies the invariants with ${preference} splitting`, () => {
      const chunks = splitText(novel, { preference });
      expect(withoutWhitespace(chunks.map((c) => c.text).join(''))).toBe(withoutWhitespace(normalized));
      const sizes = chunks.map((c) => getTextCharacterCount(c.text));
      expect(Math.min(...sizes)).toBeGreaterThan(0);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
      expect(chunks.filter((c) => c.paragraphStart)).toHaveLength(paragraphs.length);
      expect(splitText(novel, { preference })).toEqual(chunks);
    });
  }

  it('keeps titles with names and merges sentences toward the target', () => {
    const chunks = splitText(novel);
    expect(chunks.filter((c) => /\b(?:Mr|Mrs|Dr|St)\.$/.test(c.text))).toEqual([]);
    const sizes = chunks.map((c) => getTextCharacterCount(c.text)).sort((a, b) => a - b);
    expect(sizes[Math.floor(sizes.length / 2)]).toBeGreaterThan(120); // median: merged, not one sentence each
    expect(chunks.length).toBeGreaterThan(3000);
    expect(chunks.length).toBeLessThan(5000);
  });
});
