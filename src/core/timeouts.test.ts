import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_TIMEOUT_BASE_MS,
  CHUNK_TIMEOUT_MAX_MS,
  CHUNK_TIMEOUT_MIN_MS,
  CHUNK_TIMEOUT_PER_CHAR_MS,
  chunkTimeoutMs,
  overallOrchestratorTimeoutMs,
} from './timeouts.ts';

describe('chunkTimeoutMs', () => {
  it('is 15 s plus 50 ms per character, clamped to [15 s, 60 s]', () => {
    expect([CHUNK_TIMEOUT_BASE_MS, CHUNK_TIMEOUT_PER_CHAR_MS, CHUNK_TIMEOUT_MIN_MS, CHUNK_TIMEOUT_MAX_MS]).toEqual([15_000, 50, 15_000, 60_000]);
    expect(chunkTimeoutMs(0)).toBe(15_000);
    expect(chunkTimeoutMs(1)).toBe(15_050);
    expect(chunkTimeoutMs(250)).toBe(27_500);
    expect(chunkTimeoutMs(500)).toBe(40_000);
    expect(chunkTimeoutMs(900)).toBe(60_000);
    expect(chunkTimeoutMs(1_000_000)).toBe(60_000);
  });

  it('is monotonic and within its bounds', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect(chunkTimeoutMs(small)).toBeLessThanOrEqual(chunkTimeoutMs(large));
        expect(chunkTimeoutMs(a)).toBeGreaterThanOrEqual(CHUNK_TIMEOUT_MIN_MS);
        expect(chunkTimeoutMs(a)).toBeLessThanOrEqual(CHUNK_TIMEOUT_MAX_MS);
      }),
    );
  });

  it('rejects counts that are not non-negative numbers', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => chunkTimeoutMs(bad)).toThrow(TypeError);
  });
});

describe('overallOrchestratorTimeoutMs', () => {
  it('is the maximum over the chunks, from texts or counts', () => {
    expect(overallOrchestratorTimeoutMs([{ text: 'Hi.' }, { text: 'x'.repeat(300) }, { text: 'Bye.' }])).toBe(30_000);
    expect(overallOrchestratorTimeoutMs([{ text: '😀'.repeat(100) }])).toBe(20_000); // code points, not UTF-16 units
    expect(overallOrchestratorTimeoutMs([10, 500, 20])).toBe(40_000);
    expect(overallOrchestratorTimeoutMs([5000])).toBe(60_000);
  });

  it('is the minimum for a job without chunks', () => {
    expect(overallOrchestratorTimeoutMs([])).toBe(CHUNK_TIMEOUT_MIN_MS);
  });
});
