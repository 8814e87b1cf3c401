// Pure parts of the long-listening controls: seeking in listening time, the
// chapter a chunk is in, and the sleep timer.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAUSES } from '../core/audio/timeline.ts';
import { chapterAt, chaptersOf } from './chapters.ts';
import { moveBy, timelineAt, type ChunkTimes } from './listening-time.ts';
import { SleepTimer } from './sleep-timer.ts';

/** Five chunks of 1 s; chunk 3 starts a paragraph (800 ms pause), others 300 ms; chunk 4 not synthesized. */
const times: ChunkTimes = {
  total: 5,
  pauses: DEFAULT_PAUSES,
  durationMs: (i) => (i < 4 ? 1000 : null),
  paragraphStart: (i) => (i < 4 ? i === 0 || i === 3 : null),
};

describe('listening time', () => {
  it('counts chunks and the pauses before them', () => {
    expect(timelineAt({ index: 0, offsetMs: 500 }, times)).toEqual({ positionMs: 500, durationMs: null });
    // 1000 + 300 + 1000 + 300 + 1000 + 800 + 250
    expect(timelineAt({ index: 3, offsetMs: 250 }, times).positionMs).toBe(4650);
  });

  it('seeks forward and back across chunks and pauses, within what is synthesized', () => {
    expect(moveBy({ index: 0, offsetMs: 500 }, 1000, times)).toEqual({ index: 1, offsetMs: 200 });
    expect(moveBy({ index: 1, offsetMs: 200 }, -1000, times)).toEqual({ index: 0, offsetMs: 500 });
    expect(moveBy({ index: 2, offsetMs: 900 }, 500, times)).toEqual({ index: 3, offsetMs: 0 }); // lands in the paragraph pause
    expect(moveBy({ index: 3, offsetMs: 0 }, 30_000, times)).toEqual({ index: 3, offsetMs: 999 }); // chunk 4 is not there yet
    expect(moveBy({ index: 1, offsetMs: 0 }, -30_000, times)).toEqual({ index: 0, offsetMs: 0 });
  });
});

describe('chapters', () => {
  const chapters = chaptersOf({
    chapters: [
      { index: 1, title: 'Two', firstChunk: 10, chunkCount: 5, durationMs: 9000 },
      { index: 0, title: 'One', firstChunk: 0, chunkCount: 10, durationMs: 20000 },
      { index: 2, title: 'broken', firstChunk: 15, chunkCount: 0, durationMs: null },
    ],
  });

  it('keeps valid chapters in reading order and finds the one holding a chunk', () => {
    expect(chapters.map((c) => c.title)).toEqual(['One', 'Two']);
    expect([0, 9, 10, 14, 15].map((i) => chapterAt(chapters, i))).toEqual([0, 0, 1, 1, -1]);
    expect(chaptersOf({})).toEqual([]);
  });
});

describe('sleep timer', () => {
  it('fires once after its minutes', () => {
    const t = new SleepTimer();
    const here = { index: 3, sentence: 0 };
    t.set({ kind: 'minutes', minutes: 15 }, here, 1_000);
    expect(t.remainingMs(1_000 + 60_000)).toBe(14 * 60_000);
    expect(t.due(here, 1_000 + 15 * 60_000 - 1)).toBe(false);
    expect(t.due(here, 1_000 + 15 * 60_000)).toBe(true);
    expect(t.active).toBe(false);
    expect(t.due(here, 1_000 + 20 * 60_000)).toBe(false);
  });

  it('fires when playback reaches the end of the chapter', () => {
    const t = new SleepTimer();
    t.set({ kind: 'chapter' }, { index: 15, sentence: 0 });
    expect(t.due({ index: 14, sentence: 6 })).toBe(false);
    expect(t.due({ index: 15, sentence: 0 })).toBe(true);
  });

  it('fires at the next sentence inside the same chunk', () => {
    const t = new SleepTimer();
    t.set({ kind: 'chapter' }, { index: 4, sentence: 2 });
    expect(t.due({ index: 4, sentence: 1 })).toBe(false);
    expect(t.due({ index: 4, sentence: 2 })).toBe(true);
    expect(t.active).toBe(false);
  });
});
