// Framing survives partial writes, stray text, truncated and corrupt frames,
// and gives up on a stalled partial frame after its timeout (fake clock).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeBinaryFrame, encodeJsonFrame, FrameDecoder, type Frame } from './framing.ts';

function collect(partialFrameTimeoutMs = 1000) {
  const frames: Frame[] = [];
  const stray: string[] = [];
  const corrupt: string[] = [];
  const decoder = new FrameDecoder({
    onFrame: (f) => frames.push(f),
    onStray: (t) => stray.push(t),
    onCorrupt: (r) => corrupt.push(r),
    partialFrameTimeoutMs,
  });
  return { decoder, frames, stray, corrupt };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('FrameDecoder', () => {
  it('decodes JSON frames written one byte at a time', () => {
    const { decoder, frames } = collect();
    const bytes = Buffer.concat([encodeJsonFrame({ a: 1 }), encodeJsonFrame({ b: 'two\nlines' })]);
    for (const b of bytes) decoder.push(Buffer.from([b]));
    expect(frames).toEqual([
      { kind: 'json', value: { a: 1 } },
      { kind: 'json', value: { b: 'two\nlines' } },
    ]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('skips stray text between and before frames, with or without newlines', () => {
    const { decoder, frames, stray } = collect();
    decoder.push(Buffer.from('Loading voices...\nwarning: something'));
    decoder.push(Buffer.concat([encodeJsonFrame({ n: 1 }), Buffer.from('progress 50%'), encodeJsonFrame({ n: 2 }), Buffer.from('\n\n')]));
    expect(frames.map((f) => (f as { value: unknown }).value)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(stray.join('|')).toContain('Loading voices');
    expect(stray.join('|')).toContain('progress 50%');
  });

  it('decodes binary frames split anywhere, with bodies containing marker bytes', () => {
    const { decoder, frames } = collect();
    const body = new Uint8Array(5000);
    for (let i = 0; i < body.length; i++) body[i] = i % 3 === 0 ? 0x1e : i % 5 === 0 ? 0x1f : i & 0xff;
    const bytes = Buffer.concat([Buffer.from('junk'), encodeBinaryFrame({ id: 'x' }, body), encodeJsonFrame({ after: true })]);
    for (let i = 0; i < bytes.length; i += 7) decoder.push(bytes.subarray(i, i + 7));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toEqual({ kind: 'binary', header: { id: 'x' }, body });
    expect(frames[1]).toEqual({ kind: 'json', value: { after: true } });
  });

  it('drops a JSON frame cut short by the next frame and keeps the next', () => {
    const { decoder, frames, corrupt } = collect();
    const whole = encodeJsonFrame({ lost: 'x'.repeat(50) });
    decoder.push(Buffer.concat([whole.subarray(0, 20), encodeJsonFrame({ kept: 1 })]));
    expect(frames).toEqual([{ kind: 'json', value: { kept: 1 } }]);
    expect(corrupt[0]).toMatch(/cut short/);
  });

  it('drops invalid JSON and binary frames with a bad CRC, then resynchronizes', () => {
    const { decoder, frames, corrupt } = collect();
    const bad = encodeBinaryFrame({ id: 1 }, new Uint8Array([1, 2, 3, 4]));
    bad[bad.length - 1] ^= 0xff;
    decoder.push(Buffer.concat([Buffer.from('\x1e{not json\n'), bad, encodeJsonFrame({ ok: true })]));
    expect(frames).toEqual([{ kind: 'json', value: { ok: true } }]);
    expect(corrupt.some((c) => c.includes('invalid JSON'))).toBe(true);
    expect(corrupt.some((c) => c.includes('CRC'))).toBe(true);
  });

  it('times out a stalled partial frame and decodes what follows', async () => {
    vi.useFakeTimers();
    const { decoder, frames, corrupt } = collect(1000);
    decoder.push(encodeJsonFrame({ stalled: true }).subarray(0, 8));
    await vi.advanceTimersByTimeAsync(999);
    expect(corrupt).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(corrupt[0]).toMatch(/timed out/);
    expect(decoder.pendingBytes).toBe(0);
    decoder.push(encodeJsonFrame({ fresh: 1 }));
    expect(frames).toEqual([{ kind: 'json', value: { fresh: 1 } }]);
  });

  it('refuses frames above maxFrameBytes', () => {
    const frames: Frame[] = [];
    const corrupt: string[] = [];
    const decoder = new FrameDecoder({ onFrame: (f) => frames.push(f), onCorrupt: (r) => corrupt.push(r), maxFrameBytes: 100 });
    decoder.push(encodeBinaryFrame({}, new Uint8Array(200)));
    decoder.push(encodeJsonFrame({ small: 1 }));
    expect(corrupt[0]).toMatch(/maxFrameBytes/);
    expect(frames.at(-1)).toEqual({ kind: 'json', value: { small: 1 } });
  });
});
