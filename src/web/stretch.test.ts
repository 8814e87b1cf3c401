// The time-stretch keeps the pitch: a 220 Hz tone played 2× (and 0.5×) as fast
// is half (twice) as long and still 220 Hz, measured by zero crossings.
import { describe, expect, it } from 'vitest';
import { stretchChannel } from './stretch.ts';

const RATE = 22_050;

function tone(hz: number, seconds: number): Float32Array {
  const n = Math.round(RATE * seconds);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE);
  return s;
}

/** Frequency from rising zero crossings over the middle half (away from the edges). */
function frequency(s: Float32Array): number {
  const from = Math.floor(s.length / 4);
  const to = Math.floor((3 * s.length) / 4);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (s[i - 1]! < 0 && s[i]! >= 0) crossings++;
  return crossings / ((to - from) / RATE);
}

describe('stretchChannel', () => {
  for (const tempo of [0.5, 1.5, 2, 3]) {
    it(`plays ${tempo}× as fast at the same pitch`, () => {
      const input = tone(220, 2);
      const out = stretchChannel(input, RATE, tempo);
      expect(out.length).toBe(Math.round(input.length / tempo));
      expect(frequency(out)).toBeGreaterThan(215);
      expect(frequency(out)).toBeLessThan(225);
      // Not silence: the tone's energy is there all through the middle.
      const mid = out.subarray(Math.floor(out.length / 4), Math.floor((3 * out.length) / 4));
      const rms = Math.sqrt(mid.reduce((a, v) => a + v * v, 0) / mid.length);
      expect(rms).toBeGreaterThan(0.3);
    });
  }
});
