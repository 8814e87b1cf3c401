// The whole-file timeline: designed pauses, and an explicit pause (SSML break) in their place.
import { describe, expect, it } from 'vitest';
import { layoutTimeline } from './timeline.ts';

const FORMAT = { sampleRate: 1000, channels: 1, bitsPerSample: 16 as const }; // 2 bytes per ms

describe('layoutTimeline', () => {
  it('puts the designed pauses between chunks: none first, 300 ms in a paragraph, 800 ms before one', () => {
    const { placed, dataBytes } = layoutTimeline(
      [
        { index: 0, paragraphStart: true, pcmBytes: 100 },
        { index: 1, paragraphStart: false, pcmBytes: 100 },
        { index: 2, paragraphStart: true, pcmBytes: 100 },
      ],
      FORMAT,
    );
    expect(placed.map((p) => p.pauseBytes)).toEqual([0, 600, 1600]);
    expect(placed.map((p) => p.startMs)).toEqual([0, 350, 1200]);
    expect(dataBytes).toBe(2500);
  });

  it('an explicit pauseBeforeMs replaces the designed pause, even before the first chunk and when 0', () => {
    const { placed } = layoutTimeline(
      [
        { index: 0, paragraphStart: true, pcmBytes: 100, pauseBeforeMs: 500 },
        { index: 1, paragraphStart: true, pcmBytes: 100, pauseBeforeMs: 2000 },
        { index: 2, paragraphStart: false, pcmBytes: 100, pauseBeforeMs: 0 },
        { index: 3, paragraphStart: false, pcmBytes: 100 },
      ],
      FORMAT,
    );
    expect(placed.map((p) => p.pauseBytes)).toEqual([1000, 4000, 0, 600]);
    expect(placed[1]!.startMs - placed[0]!.endMs).toBe(2000);
  });
});
