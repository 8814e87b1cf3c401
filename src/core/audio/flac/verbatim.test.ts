// Verbatim FLAC framing read back by a kept FLAC decoder: the samples come out
// exactly as they went in, across frames and odd chunk sizes.
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { describe, expect, it } from 'vitest';
import { flacFrames, flacStreamHeader, type FlacFramerState } from './verbatim.ts';

describe('verbatim FLAC', () => {
  it('decodes to the same samples, chunk after chunk', async () => {
    const rate = 22050;
    const samples = Int16Array.from({ length: 30_001 }, (_, i) => Math.round(8000 * Math.sin(i / 7) + (i % 13) * 100));
    const bytes = new Uint8Array(samples.buffer);
    const state: FlacFramerState = { sampleRate: 22050, written: 0, carry: new Uint8Array(0) };
    const parts = [flacStreamHeader(rate, 1)];
    for (let at = 0; at < bytes.length; at += 7_002) parts.push(flacFrames(state, bytes.subarray(at, Math.min(bytes.length, at + 7_002)), 1, at + 7_002 >= bytes.length));
    const file = Buffer.concat(parts);
    const decoder = new FLACDecoder();
    await decoder.ready;
    const out = await decoder.decodeFile(new Uint8Array(file));
    decoder.free();
    expect(out.errors).toEqual([]);
    expect(out.sampleRate).toBe(rate);
    const got = out.channelData[0]!;
    expect(got.length).toBe(samples.length);
    for (let i = 0; i < samples.length; i += 997) expect(Math.round(got[i]! * 32768)).toBe(samples[i]);
  });
});
