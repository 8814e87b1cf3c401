// The assembled book's pauses: designed ones, and an explicit pause (SSML break) in their place.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAUSES } from '../timeline.ts';
import { layoutEncodedBook, pauseKind, pauseSamples } from './timeline.ts';

describe('book pauses', () => {
  it('designed: none first, sentence, paragraph', () => {
    expect([pauseKind(0, true), pauseKind(1, false), pauseKind(2, true)]).toEqual(['none', 'sentence', 'paragraph']);
  });

  it('an explicit pauseBeforeMs wins anywhere, rounded to the container’s unit like the others', () => {
    expect(pauseKind(3, true, 2000)).toEqual({ ms: 2000 });
    expect(pauseKind(0, true, 500)).toEqual({ ms: 500 });
    expect(pauseKind(1, false, 0)).toEqual({ ms: 0 });
    expect(pauseSamples({ ms: 2000 }, DEFAULT_PAUSES, 22050, 1)).toBe(44100);
    // MPEG-2 Layer III: whole 576-sample frames.
    expect(pauseSamples({ ms: 2000 }, DEFAULT_PAUSES, 22050, 576)).toBe(Math.round(44100 / 576) * 576);
    const chunk = { occupiedSamples: 22050, leadSamples: 0, playableSamples: 22050 };
    const laid = layoutEncodedBook([{ ...chunk, pause: pauseKind(0, true) }, { ...chunk, pause: pauseKind(1, true, 2000) }], { sampleRate: 22050, quantumSamples: 1, pauses: DEFAULT_PAUSES });
    expect(laid.chunks[1]!.startMs - laid.chunks[0]!.endMs).toBe(2000);
  });
});
