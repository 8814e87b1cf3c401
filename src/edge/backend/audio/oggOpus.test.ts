// Ogg Opus page walk on real Ogg Opus from the synthesis service (libopus via
// ffmpeg): duration from granule and pre-skip, and each way a stream is refused.
import { describe, expect, inject, it } from 'vitest';
import { OggOpusError, scanOggOpus } from './oggOpus.ts';

async function opus(text: string): Promise<Uint8Array> {
  const res = await fetch(`${inject('synthUrl')}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: text, voice: 'espeak:en-us', response_format: 'opus' }),
  });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

describe('scanOggOpus', () => {
  it('reads one stream: pages, pre-skip, last granule, exact duration equal to the service’s header', async () => {
    const res = await fetch(`${inject('synthUrl')}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Pages and granules.', voice: 'espeak:en-us', response_format: 'opus' }),
    });
    const scan = scanOggOpus(new Uint8Array(await res.arrayBuffer()));
    expect(scan).toMatchObject({ channels: 1, preSkip: 312, inputSampleRate: 48000, ended: true });
    expect(scan.pages).toBeGreaterThanOrEqual(3); // OpusHead, OpusTags, audio
    expect(scan.samples).toBe(scan.lastGranule - scan.preSkip);
    expect(scan.samples).toBe(Number(res.headers.get('x-lector-duration-samples')));
    expect(scan.durationMs).toBe(scan.samples / 48);
  });

  it('refuses two streams back to back, a cut-off page, a bad CRC and bytes that are no Ogg', async () => {
    const a = await opus('One.');
    const b = await opus('Two.');
    const refuse = (bytes: Uint8Array, why: RegExp) => expect(() => scanOggOpus(bytes)).toThrow(why);
    refuse(new Uint8Array([...a, ...b]), /follows the end-of-stream page/);
    refuse(a.subarray(0, a.length - 5), /truncated page/);
    const flipped = a.slice();
    flipped[40] ^= 0x01;
    refuse(flipped, /bad CRC in page 0/);
    refuse(new TextEncoder().encode('RIFF....WAVEfmt '), /no Ogg page at byte 0/);
    expect(() => scanOggOpus(new Uint8Array(0))).toThrow(OggOpusError);
  });
});
