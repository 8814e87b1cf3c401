// AAC in ADTS frames, read by its headers only (never decoded): the frame
// count and sample rate give the exact duration; ADTS frames concatenate.

const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface AdtsScan {
  frames: number;
  sampleRate: number;
  durationMs: number;
}

/** Walks the ADTS frames from the start; null unless the bytes are whole ADTS frames. */
export function scanAdts(bytes: Uint8Array): AdtsScan | null {
  let o = 0;
  let frames = 0;
  let sampleRate = 0;
  let blocks = 0;
  while (o + 7 <= bytes.length) {
    if (bytes[o] !== 0xff || (bytes[o + 1]! & 0xf6) !== 0xf0) return null;
    const rate = RATES[(bytes[o + 2]! >> 2) & 0x0f];
    if (!rate) return null;
    const length = ((bytes[o + 3]! & 0x03) << 11) | (bytes[o + 4]! << 3) | (bytes[o + 5]! >> 5);
    if (length < 7 || o + length > bytes.length) return null;
    sampleRate ||= rate;
    blocks += (bytes[o + 6]! & 0x03) + 1;
    frames++;
    o += length;
  }
  if (frames === 0 || o !== bytes.length) return null;
  return { frames, sampleRate, durationMs: ((blocks * 1024) / sampleRate) * 1000 };
}
