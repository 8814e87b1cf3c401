// Duration of an MP3 (MPEG-1/2/2.5 audio, layers I-III) by walking its frame
// headers: no decoding. Gives every MP3 chunk its exact encoded duration
// (frames × samples per frame) and tells whether it concatenates cleanly.

const BITRATES_KBPS: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, readonly number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

export interface Mp3Frame {
  /** Bytes of the whole frame, header included. */
  length: number;
  samples: number;
  sampleRate: number;
}

/** The frame whose header starts at `offset`, or undefined if none does. */
export function readMp3Frame(bytes: Uint8Array, offset: number): Mp3Frame | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3; // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
  const layerBits = (b1 >> 1) & 3; // 1: III, 2: II, 3: I
  if (versionBits === 1 || layerBits === 0) return undefined;
  const layer = 4 - layerBits;
  const mpeg1 = versionBits === 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined; // free format or invalid
  const bitrate = BITRATES_KBPS[`${mpeg1 ? 1 : 2}-${layer}`]![bitrateIndex]! * 1000;
  const sampleRate = SAMPLE_RATES[versionBits]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  if (layer === 1) return { length: (Math.floor((12 * bitrate) / sampleRate) + padding) * 4, samples: 384, sampleRate };
  const samples = layer === 3 && !mpeg1 ? 576 : 1152;
  return { length: Math.floor(((samples / 8) * bitrate) / sampleRate) + padding, samples, sampleRate };
}

/** What a walk over an MP3's frames found. */
export interface Mp3Scan {
  /** Audio frames (a Xing/Info/VBRI header frame is not counted). */
  frames: number;
  /** Samples those frames decode to: frames × samples per frame. */
  samples: number;
  sampleRate: number;
  /** Exact duration of the encoded stream, ms (not rounded). */
  durationMs: number;
  /** Bytes before the first frame (an ID3v2 tag or junk). */
  leadingBytes: number;
  /** The first frame is a Xing/Info/VBRI header. */
  infoFrame: boolean;
  /** Every frame has the same bitrate (constant bitrate). */
  constantBitrate: boolean;
  /** Byte range of the audio frames: no tag, no header frame, no partial last frame. */
  audioStart: number;
  audioEnd: number;
  /** Bytes after the last whole frame (ID3v1, APE tags, garbage or a cut-off frame). */
  trailingBytes: number;
  /** The bytes end inside a frame. */
  truncated: boolean;
}

/** Walks the frame headers of an MP3; null when no whole MPEG audio frame is found. */
export function scanMp3(bytes: Uint8Array): Mp3Scan | null {
  let offset = skipId3v2(bytes);
  let frames = 0;
  let samples = 0;
  let sampleRate = 0;
  let leadingBytes = -1;
  let infoFrame = false;
  let audioStart = -1;
  let bitrateIndex = -1;
  let constantBitrate = true;
  let truncated = false;
  while (offset + 4 <= bytes.length) {
    const frame = readMp3Frame(bytes, offset);
    if (!frame || frame.length < 4) {
      if (leadingBytes >= 0) break; // trailing tag (ID3v1 `TAG`, APE) or garbage
      offset++; // look for the first sync word
      continue;
    }
    if (offset + frame.length > bytes.length) {
      truncated = true;
      break;
    }
    if (leadingBytes < 0) leadingBytes = offset;
    // A Xing/Info/VBRI header frame carries no audio.
    if (frames === 0 && !infoFrame && isInfoFrame(bytes, offset, frame.length)) {
      infoFrame = true;
    } else {
      if (audioStart < 0) audioStart = offset;
      samples += frame.samples;
      sampleRate = frame.sampleRate;
      const b = bytes[offset + 2]! >> 4;
      if (bitrateIndex >= 0 && b !== bitrateIndex) constantBitrate = false;
      bitrateIndex = b;
      frames++;
    }
    offset += frame.length;
  }
  if (frames === 0) return null;
  return {
    frames,
    samples,
    sampleRate,
    durationMs: (samples / sampleRate) * 1000,
    leadingBytes,
    infoFrame,
    constantBitrate,
    audioStart,
    audioEnd: offset,
    trailingBytes: bytes.length - offset,
    truncated,
  };
}

/** Milliseconds of audio in `bytes`, or null when no MPEG audio frame is found. */
export function mp3DurationMs(bytes: Uint8Array): number | null {
  const scan = scanMp3(bytes);
  return scan === null ? null : Math.round(scan.durationMs);
}

function skipId3v2(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0; // "ID3"
  const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  const footer = (bytes[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

function isInfoFrame(bytes: Uint8Array, offset: number, length: number): boolean {
  const end = Math.min(bytes.length - 4, offset + Math.min(length, 64));
  for (let i = offset + 4; i <= end; i++) {
    const tag = String.fromCharCode(bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!);
    if (tag === 'Xing' || tag === 'Info' || tag === 'VBRI') return true;
  }
  return false;
}
