import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobTitle } from './job-title.ts';

/** The title as it was computed over the whole text, kept as the reference. */
function wholeTextTitle(text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  let title = '';
  for (const w of words.slice(0, 8)) {
    const next = title ? `${title} ${w}` : w;
    if (next.length > 60) break;
    title = next;
  }
  if (!title) title = words[0]?.slice(0, 60) ?? 'Untitled';
  return title.length < text.trim().length ? `${title.replace(/[,;:.!?]+$/, '')}…` : title;
}

describe('jobTitle', () => {
  it('takes the first words of the text, with an ellipsis when there is more', () => {
    expect(jobTitle('It is a truth universally acknowledged, that a single man in possession')).toBe('It is a truth universally acknowledged, that a…');
    expect(jobTitle('  Hello there.  ')).toBe('Hello there.');
    expect(jobTitle('')).toBe('Untitled');
    expect(jobTitle('x'.repeat(100))).toBe(`${'x'.repeat(60)}…`);
    expect(jobTitle('ignored', '  Pride   and Prejudice ')).toBe('Pride and Prejudice');
  });

  it('reads only the first words: the same title as over the whole text, for any text', () => {
    const piece = fc.constantFrom('a', 'word', 'longer-word,', 'end.', ' ', '  ', '\n', '\n\n', '\t', '\u00a0', 'x'.repeat(70), 'é');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const text = parts.join('');
      expect(jobTitle(text)).toBe(wholeTextTitle(text));
    }), { numRuns: 2000 });
  });
});
