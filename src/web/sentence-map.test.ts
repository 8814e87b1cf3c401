// Previous/next sentence across the chunks of a job whose chunks hold one or many sentences.
import { describe, expect, it } from 'vitest';
import { SentenceMap } from './sentence-map.ts';

describe('SentenceMap', () => {
  const map = new SentenceMap();
  map.set(0, 'Only one.');
  map.set(1, 'First here. Second here! Third here?');
  map.set(2, 'Last one.');

  it('counts the sentences of each chunk, an unknown chunk as one', () => {
    expect([0, 1, 2, 7].map((i) => map.count(i))).toEqual([1, 3, 1, 1]);
    expect(map.spans(1).map((s) => map.text(1)!.slice(s.start, s.end))).toEqual(['First here.', 'Second here!', 'Third here?']);
  });

  it('steps inside a chunk first, then to the neighbouring chunk', () => {
    expect(map.step({ index: 1, sentence: 0 }, 1, 3)).toEqual({ index: 1, sentence: 1 });
    expect(map.step({ index: 1, sentence: 2 }, 1, 3)).toEqual({ index: 2, sentence: 0 });
    expect(map.step({ index: 1, sentence: 1 }, -1, 3)).toEqual({ index: 1, sentence: 0 });
    expect(map.step({ index: 2, sentence: 0 }, -1, 3)).toEqual({ index: 1, sentence: 2 });
    expect(map.step({ index: 1, sentence: 0 }, -1, 3)).toEqual({ index: 0, sentence: 0 });
    expect(map.step({ index: 0, sentence: 0 }, -1, 3)).toBeNull();
    expect(map.step({ index: 2, sentence: 0 }, 1, 3)).toBeNull();
  });

  it('follows a redone chunk’s new text', () => {
    const m = new SentenceMap();
    m.set(0, 'One. Two.');
    const before = m.spans(0);
    m.set(0, 'One. Two.');
    expect(m.spans(0)).toBe(before); // same text: kept
    m.set(0, 'Now a single sentence');
    expect(m.count(0)).toBe(1);
  });
});
