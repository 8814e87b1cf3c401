// The pool's per-request timeout follows the text's length (growing chunks, issue 12).
import { describe, expect, it } from 'vitest';
import { requestTimeoutMs } from './dispatcher.ts';

describe('requestTimeoutMs', () => {
  it('keeps the configured timeout up to 250 characters and grows in proportion beyond', () => {
    expect(requestTimeoutMs(10_000, 40)).toBe(10_000);
    expect(requestTimeoutMs(10_000, 250)).toBe(10_000);
    expect(requestTimeoutMs(10_000, 1_000)).toBe(40_000);
  });

  it('allows more time at slow speeds (longer audio), never less at fast ones', () => {
    expect(requestTimeoutMs(10_000, 250, 0.5)).toBe(20_000);
    expect(requestTimeoutMs(10_000, 250, 4)).toBe(10_000);
  });
});
