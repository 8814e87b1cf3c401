// The Xing/Info frame: a silent-looking first frame that tells players the
// stream's frame count, byte count and a 100-entry seek table, so they show
// the true duration and seek without scanning the file.
import { concatBytes, latin1Bytes, u32be } from '../bytes.ts';
import { buildFrameHeader, frameBytes, layer3Bitrates, type MpegFrameHeader } from './frame-header.ts';

const FLAG_FRAMES = 0x1, FLAG_BYTES = 0x2, FLAG_TOC = 0x4;
/** "Xing"/"Info" + flags + frames + bytes + TOC. */
const XING_BODY_BYTES = 4 + 4 + 4 + 4 + 100;

export interface XingInput {
  /** Audio frames after the Xing frame. */
  frames: number;
  /** Audio bytes after the Xing frame. */
  audioBytes: number;
  /** `toc[i]`: audio byte offset where i % of the duration starts. */
  tocOffsets: readonly number[];
  /** "Info" for constant bitrate, "Xing" otherwise. */
  constantBitrate: boolean;
}

/** The smallest bitrate whose frame holds the Xing body. */
function xingBitrate(like: MpegFrameHeader): number {
  const need = 4 + like.sideInfoBytes + XING_BODY_BYTES;
  for (const kbps of layer3Bitrates(like.version)) {
    if (kbps > 0 && frameBytes(like.version, kbps, like.sampleRate, false) >= need) return kbps;
  }
  throw new RangeError('no bitrate fits a Xing frame');
}

export function xingFrameBytes(like: MpegFrameHeader): number {
  return frameBytes(like.version, xingBitrate(like), like.sampleRate, false);
}

export function xingFrame(like: MpegFrameHeader, input: XingInput): Uint8Array {
  const kbps = xingBitrate(like);
  const frame = new Uint8Array(frameBytes(like.version, kbps, like.sampleRate, false));
  const ownBytes = frame.length;
  const totalBytes = input.audioBytes + ownBytes;
  const toc = new Uint8Array(100);
  for (let i = 0; i < 100; i++) {
    const offset = (input.tocOffsets[i] ?? 0) + ownBytes;
    toc[i] = Math.min(255, Math.floor((offset * 256) / totalBytes));
  }
  const body = concatBytes([
    latin1Bytes(input.constantBitrate ? 'Info' : 'Xing'),
    u32be(FLAG_FRAMES | FLAG_BYTES | FLAG_TOC),
    u32be(input.frames),
    u32be(totalBytes),
    toc,
  ]);
  frame.set(buildFrameHeader(like, kbps), 0);
  frame.set(body, 4 + like.sideInfoBytes);
  return frame;
}
