// Framing survives partial writes, stray text, truncated and corrupt frames,
// and gives up on a stalled partial frame after its timeout (fake clock).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { binaryFrameParts, encodeBinaryFrame, encodeJsonFrame, FrameDecoder, type BinaryFrame, type Frame } from './framing.ts';

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
    expect(frames[0]).toMatchObject({ kind: 'binary', header: { id: 'x' }, byteLength: 5000, body });
    // The body arrives as views of the pushed pieces, in order, not joined.
    const parts = (frames[0] as BinaryFrame).parts;
    expect(parts.length).toBeGreaterThan(700);
    expect(Buffer.concat(parts)).toEqual(Buffer.from(body));
    expect(frames[1]).toEqual({ kind: 'json', value: { after: true } });
  });

  it('decodes a frame written as parts (writev) and split across reads, with the next frame in its last read', () => {
    const { decoder, frames, corrupt } = collect();
    const pcm = [new Uint8Array(3000).fill(1), new Uint8Array(70_000).fill(2), new Uint8Array(5).fill(3)];
    const bytes = Buffer.concat([...binaryFrameParts({ id: 'p' }, pcm), encodeJsonFrame({ next: 1 }), encodeBinaryFrame({ id: 'q' }, new Uint8Array([9, 9]))]);
    for (let i = 0; i < bytes.length; i += 65_536) decoder.push(bytes.subarray(i, i + 65_536));
    expect(corrupt).toEqual([]);
    expect(frames.map((f) => (f.kind === 'json' ? f.value : f.header))).toEqual([{ id: 'p' }, { next: 1 }, { id: 'q' }]);
    expect(Buffer.from((frames[0] as BinaryFrame).body).equals(Buffer.concat(pcm))).toBe(true);
    expect(Buffer.from((frames[2] as BinaryFrame).body)).toEqual(Buffer.from([9, 9]));
  });

  it('drops a split binary frame with a bad CRC and decodes what follows', () => {
    const { decoder, frames, corrupt } = collect();
    const bad = encodeBinaryFrame({ id: 1 }, new Uint8Array(10_000).fill(5));
    bad[bad.length - 100] ^= 0xff;
    const bytes = Buffer.concat([bad, encodeJsonFrame({ ok: true })]);
    for (let i = 0; i < bytes.length; i += 4096) decoder.push(bytes.subarray(i, i + 4096));
    expect(frames).toEqual([{ kind: 'json', value: { ok: true } }]);
    expect(corrupt.some((c) => c.includes('CRC'))).toBe(true);
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
