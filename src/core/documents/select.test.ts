import { describe, expect, it } from 'vitest';
import { isLectorError } from '../errors.ts';
import { selectChapters } from './select.ts';

describe('selectChapters', () => {
  it('reads numbers and ranges, 1-based, sorted, without repeats', () => {
    expect(selectChapters('1,3-5', 10)).toEqual([1, 3, 4, 5]);
    expect(selectChapters(' 5 , 1-2, 2 ', 10)).toEqual([1, 2, 5]);
    expect(selectChapters('8-', 10)).toEqual([8, 9, 10]);
    expect(selectChapters('all', 3)).toEqual([1, 2, 3]);
    expect(selectChapters('61', 61)).toEqual([61]);
  });

  it.each(['0', '11', '3-12', '5-3', 'one', '', '1,,2', '1-2-3', '-3'])('refuses %j with invalid_chapter_selection (400)', (spec) => {
    let error: unknown;
    try {
      selectChapters(spec, 10);
    } catch (e) {
      error = e;
    }
    expect(isLectorError(error) && error.code === 'invalid_chapter_selection' && error.status === 400).toBe(true);
  });
});
