import { describe, expect, it } from 'vitest';
import { normalizeText, paragraphsOf } from './normalize.ts';

describe('normalizeText', () => {
  it('composes to NFC', () => {
    expect(normalizeText('Cafe\u0301 cre\u0300me')).toBe('Café crème');
    expect(normalizeText('\u1100\u1161')).toBe('\uAC00');
  });

  it('removes control characters but keeps tabs', () => {
    expect(normalizeText('a\u0000b\u0007c\u001Bd\u007Fe\u0090f\tg')).toBe('abcdef\tg');
  });

  it('treats CR, CRLF, VT, FF, NEL and U+2028 as line breaks, U+2029 as a paragraph break', () => {
    expect(normalizeText('one\r\ntwo\rthree\u000Bfour\u000Cfive\u0085six\u2028seven')).toBe('one two three four five six seven');
    expect(normalizeText('one\u2029two')).toBe('one\n\ntwo');
    expect(normalizeText('one\r\n\r\ntwo')).toBe('one\n\ntwo');
  });

  it('removes the BOM and soft hyphens', () => {
    expect(normalizeText('\uFEFFhyphen\u00ADation')).toBe('hyphenation');
  });

  it('removes lone surrogates and keeps pairs', () => {
    expect(normalizeText('a\uD800b\uDC00c')).toBe('abc');
    expect(normalizeText('\uDC00\uD83D\uDE00\uD83D')).toBe('😀');
    expect(normalizeText('\uD800\u0007\uDC00')).toBe('');
  });

  it('joins hard-wrapped lines with a space and trims them', () => {
    expect(normalizeText('      It is a truth universally\n      acknowledged, that a single man   \n  in possession')).toBe(
      'It is a truth universally acknowledged, that a single man in possession',
    );
  });

  it('joins wrapped Chinese and Japanese lines without a space', () => {
    expect(normalizeText('这是第一\n句话。\nこんにちは\n世界')).toBe('这是第一句话。こんにちは世界');
    expect(normalizeText('中文\nEnglish')).toBe('中文 English');
  });

  it('keeps paragraphs separated by one or more blank or whitespace-only lines as "\\n\\n"', () => {
    expect(normalizeText('one\n\ntwo\n \t \n\n\u00A0\nthree')).toBe('one\n\ntwo\n\nthree');
    expect(normalizeText('\n\n  first  \n\n\n')).toBe('first');
  });

  it('starts a new paragraph at list-item lines', () => {
    expect(normalizeText('Shopping:\n1. Eggs\n2) Milk\n(3) Tea\n- Bread\n* Jam\n• Salt\nb) Rice')).toBe(
      'Shopping:\n\n1. Eggs\n\n2) Milk\n\n(3) Tea\n\n- Bread\n\n* Jam\n\n• Salt\n\nb) Rice',
    );
    expect(normalizeText('in the year\n1815. The end')).toBe('in the year 1815. The end');
  });

  it('returns "" for whitespace and control characters only', () => {
    expect(normalizeText(' \n\t\r\n\u0000\uFEFF ')).toBe('');
  });

  it('is idempotent', () => {
    const text = 'A\u030A\r\n\r\n  b\u0007 c\n- d\n这\n是';
    expect(normalizeText(normalizeText(text))).toBe(normalizeText(text));
  });
});

describe('paragraphsOf', () => {
  it('splits a normalized text into its paragraphs', () => {
    expect(paragraphsOf('a b\n\nc')).toEqual(['a b', 'c']);
    expect(paragraphsOf('')).toEqual([]);
  });
});
