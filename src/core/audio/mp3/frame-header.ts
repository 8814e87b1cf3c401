// The 4-byte MPEG audio frame header (Layer III only): layout as tables and a
// pure parse/build pair. Sizes follow ISO/IEC 11172-3 and 13818-3.

export type MpegVersion = 1 | 2 | 2.5;

export interface MpegFrameHeader {
  version: MpegVersion;
  /** kbit/s; 0 is free format (not supported). */
  bitrateKbps: number;
  sampleRate: number;
  padding: boolean;
  /** CRC-16 follows the header. */
  protection: boolean;
  /** 3 = single channel. */
  channelMode: number;
  /** Whole frame in bytes, header included. */
  frameBytes: number;
  samplesPerFrame: number;
  /** Layer III side information in bytes. */
  sideInfoBytes: number;
}

const VERSION_BITS: Record<number, MpegVersion | undefined> = { 0b00: 2.5, 0b10: 2, 0b11: 1 };
const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES: Record<MpegVersion, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] };

export function layer3Bitrates(version: MpegVersion): readonly number[] {
  return version === 1 ? BITRATES_V1 : BITRATES_V2;
}

/** Parses a Layer III header at `offset`, or undefined when the bytes are not one. */
export function parseFrameHeader(buf: Uint8Array, offset: number): MpegFrameHeader | undefined {
  if (offset + 4 > buf.length) return undefined;
  const b0 = buf[offset]!, b1 = buf[offset + 1]!, b2 = buf[offset + 2]!, b3 = buf[offset + 3]!;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = VERSION_BITS[(b1 >> 3) & 0b11];
  if (version === undefined || ((b1 >> 1) & 0b11) !== 0b01) return undefined; // Layer III only
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0b11;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const bitrateKbps = layer3Bitrates(version)[bitrateIndex]!;
  const sampleRate = SAMPLE_RATES[version][rateIndex]!;
  const padding = ((b2 >> 1) & 1) === 1;
  const channelMode = b3 >> 6;
  const samplesPerFrame = version === 1 ? 1152 : 576;
  const mono = channelMode === 3;
  return {
    version,
    bitrateKbps,
    sampleRate,
    padding,
    protection: (b1 & 1) === 0,
    channelMode,
    frameBytes: frameBytes(version, bitrateKbps, sampleRate, padding),
    samplesPerFrame,
    sideInfoBytes: version === 1 ? (mono ? 17 : 32) : mono ? 9 : 17,
  };
}

export function frameBytes(version: MpegVersion, bitrateKbps: number, sampleRate: number, padding: boolean): number {
  const coefficient = version === 1 ? 144 : 72;
  return Math.floor((coefficient * bitrateKbps * 1000) / sampleRate) + (padding ? 1 : 0);
}

/** Header bytes for a frame like `like` at `bitrateKbps`, no padding, no CRC. */
export function buildFrameHeader(like: MpegFrameHeader, bitrateKbps: number): Uint8Array {
  const versionBits = like.version === 1 ? 0b11 : like.version === 2 ? 0b10 : 0b00;
  const bitrateIndex = layer3Bitrates(like.version).indexOf(bitrateKbps);
  const rateIndex = SAMPLE_RATES[like.version].indexOf(like.sampleRate);
  if (bitrateIndex <= 0 || rateIndex < 0) throw new RangeError(`no Layer III frame at ${bitrateKbps} kbit/s, ${like.sampleRate} Hz`);
  return new Uint8Array([
    0xff,
    0xe0 | (versionBits << 3) | (0b01 << 1) | 1, // Layer III, no CRC
    (bitrateIndex << 4) | (rateIndex << 2),
    like.channelMode << 6,
  ]);
}
