// MP3 duration from frame headers: CBR frames of each MPEG version, ID3v2 tags,
// Xing headers, trailing tags, and input that is no MP3 at all.
import { describe, expect, it } from 'vitest';
import { mp3DurationMs, readMp3Frame, scanMp3 } from './mp3.ts';

/** `n` frames with header bytes `h` and `length` bytes each. */
function frames(h: [number, number, number, number], length: number, n: number): Uint8Array {
  const out = new Uint8Array(length * n);
  for (let i = 0; i < n; i++) out.set(h, i * length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('readMp3Frame', () => {
  it.each<[string, [number, number, number, number], { length: number; samples: number; sampleRate: number }]>([
    ['MPEG-1 layer III 128 kb/s 44.1 kHz', [0xff, 0xfb, 0x90, 0x64], { length: 417, samples: 1152, sampleRate: 44100 }],
    ['MPEG-1 layer III 128 kb/s 44.1 kHz padded', [0xff, 0xfb, 0x92, 0x64], { length: 418, samples: 1152, sampleRate: 44100 }],
    ['MPEG-1 layer III 32 kb/s 48 kHz', [0xff, 0xfb, 0x14, 0xc4], { length: 96, samples: 1152, sampleRate: 48000 }],
    ['MPEG-2 layer III 64 kb/s 24 kHz', [0xff, 0xf3, 0x84, 0xc4], { length: 192, samples: 576, sampleRate: 24000 }],
    ['MPEG-2.5 layer III 8 kb/s 8 kHz', [0xff, 0xe3, 0x18, 0xc4], { length: 72, samples: 576, sampleRate: 8000 }],
    ['MPEG-1 layer II 192 kb/s 48 kHz', [0xff, 0xfd, 0xa4, 0x00], { length: 576, samples: 1152, sampleRate: 48000 }],
  ])('%s', (_name, header, frame) => {
    expect(readMp3Frame(new Uint8Array([...header, 0, 0]), 0)).toEqual(frame);
  });

  it('refuses no sync, the reserved version, free format and bad sample rates', () => {
    expect(readMp3Frame(new Uint8Array([0x49, 0x44, 0x33, 0x04]), 0)).toBeUndefined();
    expect(readMp3Frame(new Uint8Array([0xff, 0xeb, 0x90, 0x64]), 0)).toBeUndefined();
    expect(readMp3Frame(new Uint8Array([0xff, 0xfb, 0x00, 0x64]), 0)).toBeUndefined();
    expect(readMp3Frame(new Uint8Array([0xff, 0xfb, 0x9c, 0x64]), 0)).toBeUndefined();
  });
});

describe('mp3DurationMs', () => {
  it('sums the frames: 100 frames of 1152 samples at 48 kHz are 2.4 s', () => {
    expect(mp3DurationMs(frames([0xff, 0xfb, 0x14, 0xc4], 96, 100))).toBe(2400);
  });

  it('skips an ID3v2 tag, a Xing header frame and a trailing ID3v1 tag', () => {
    const id3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 20, ...new Array<number>(20).fill(0)]);
    const xing = frames([0xff, 0xfb, 0x14, 0xc4], 96, 1);
    xing.set([0x58, 0x69, 0x6e, 0x67], 4 + 17); // "Xing" after the side information
    const tag = new Uint8Array(128);
    tag.set([0x54, 0x41, 0x47]);
    expect(mp3DurationMs(concat(id3, xing, frames([0xff, 0xfb, 0x14, 0xc4], 96, 50), tag))).toBe(1200);
  });

  it('finds the first frame after leading junk', () => {
    expect(mp3DurationMs(concat(new Uint8Array([1, 2, 3]), frames([0xff, 0xf3, 0x84, 0xc4], 192, 10)))).toBe(240);
  });

  it('is null for input with no MPEG frame (a WAV, text, nothing)', () => {
    expect(mp3DurationMs(new TextEncoder().encode('RIFF....WAVEfmt '))).toBeNull();
    expect(mp3DurationMs(new Uint8Array(0))).toBeNull();
  });
});

describe('scanMp3', () => {
  it('gives the byte range of the audio frames: no tag, no Xing frame, no trailing tag, no cut-off frame', () => {
    const id3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 20, ...new Array<number>(20).fill(0)]);
    const xing = frames([0xff, 0xf3, 0x84, 0xc4], 192, 1);
    xing.set([0x49, 0x6e, 0x66, 0x6f], 4 + 9); // "Info" after MPEG-2 mono side information
    const audio = frames([0xff, 0xf3, 0x84, 0xc4], 192, 25);
    const cut = frames([0xff, 0xf3, 0x84, 0xc4], 192, 1).subarray(0, 100);
    const scan = scanMp3(concat(id3, xing, audio, cut))!;
    expect(scan).toMatchObject({ frames: 25, samples: 25 * 576, sampleRate: 24000, durationMs: 600, leadingBytes: 30, infoFrame: true, constantBitrate: true, truncated: true, trailingBytes: 100 });
    expect([scan.audioStart, scan.audioEnd]).toEqual([30 + 192, 30 + 192 + 25 * 192]);
  });

  it('tells a variable bitrate from a constant one', () => {
    const scan = scanMp3(concat(frames([0xff, 0xf3, 0x84, 0xc4], 192, 2), frames([0xff, 0xf3, 0x44, 0xc4], 96, 2)))!;
    expect(scan).toMatchObject({ frames: 4, constantBitrate: false, trailingBytes: 0, truncated: false });
  });
});
