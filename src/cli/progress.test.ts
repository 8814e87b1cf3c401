import { describe, expect, it } from 'vitest';
import { EtaEstimator, formatClock, formatProgressBar, formatProgressLine } from './progress.ts';

describe('progress formatting', () => {
  it('formats clocks', () => {
    expect(formatClock(7_000)).toBe('0:07');
    expect(formatClock(754_000)).toBe('12:34');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });

  it('fits the bar to the terminal', () => {
    const s = { completed: 12, failed: 0, total: 40, audioMs: 192_000, etaMs: 45_000 };
    const line = formatProgressBar(s, 100);
    expect(line).toMatch(/^\[█+░+\]  30% 12\/40 chunks · 3\.2 min audio · ETA 0:45$/);
    expect(line.length).toBeLessThanOrEqual(100);
    expect(formatProgressBar(s, 40).length).toBeLessThan(40);
    expect(formatProgressLine({ ...s, etaMs: undefined })).toBe('progress: 12/40 chunks (30%) · 3.2 min audio · ETA --:--');
  });

  it('estimates time left from the live rate', () => {
    const eta = new EtaEstimator();
    eta.observe(10, 0); // replayed backlog: the baseline, not a rate
    expect(eta.etaMs(40, 0)).toBeUndefined();
    eta.observe(12, 2_000); // 1 chunk/s
    expect(eta.etaMs(40, 2_000)).toBe(28_000);
    expect(eta.etaMs(40, 5_000)).toBe(70_000); // no chunk for 3 s: slower
  });
});
