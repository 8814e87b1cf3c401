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
