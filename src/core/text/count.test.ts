import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceCodePoints, codePointLength, getTextCharacterCount } from './count.ts';

describe('getTextCharacterCount', () => {
  it('counts code points, like [...text].length', () => {
    for (const text of ['', 'abc', 'é', 'e\u0301', '😀', '👨‍👩‍👧', '🇺🇸', '\uD800', '\uDC00\uD800', 'a\uD83D\uDE00b']) {
      expect(getTextCharacterCount(text)).toBe([...text].length);
    }
  });
});

describe('codePointLength / advanceCodePoints', () => {
  it('measure and advance by code points without splitting surrogate pairs', () => {
    const text = 'a😀b😀';
    expect(codePointLength(text, 1, 4)).toBe(2);
    expect(advanceCodePoints(text, 0, 2)).toBe(3);
    expect(advanceCodePoints(text, 0, 10)).toBe(text.length);
    expect(advanceCodePoints(text, 1, 1, 2)).toBe(2);
  });
});

describe('codePointLength / advanceCodePoints on any range', () => {
  // The BMP-only shortcut must agree with the code-point walk everywhere, lone surrogates included.
  const unit = fc.constantFrom('a', ' ', 'é', '😀', '\uD800', '\uDC00', '\u{10000}');
  const textAndRange = fc.array(unit, { maxLength: 24 }).chain((parts) => {
    const text = parts.join('');
    return fc.tuple(fc.constant(text), fc.nat(text.length), fc.nat(text.length), fc.nat(30));
  });

  it('counts [start, end) as [...slice].length', () => {
    fc.assert(
      fc.property(textAndRange, ([text, a, b]) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        // Counting from inside a pair counts its low half alone, as the spread of the slice does.
        expect(codePointLength(text, start, end)).toBe([...text.slice(start, end)].length);
      }),
    );
  });

  it('advances by whole code points, never past end', () => {
    fc.assert(
      fc.property(textAndRange, ([text, a, b, count]) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        let expected = start;
        for (let n = 0; n < count && expected < end; n++) {
          const pair = /[\uD800-\uDBFF]/.test(text[expected]!) && expected + 1 < end && /[\uDC00-\uDFFF]/.test(text[expected + 1]!);
          expected += pair ? 2 : 1;
        }
        expect(advanceCodePoints(text, start, count, end)).toBe(expected);
      }),
    );
  });
});
