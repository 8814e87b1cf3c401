// Walks the MPEG frames of one encoded chunk and returns only its audio
// frames: a leading ID3v2 tag, a trailing ID3v1 tag and a Xing/Info/VBRI
// frame are dropped, so chunks can be joined frame to frame.
import { AudioContainerError, readAscii } from '../bytes.ts';
import { parseFrameHeader, type MpegFrameHeader } from './frame-header.ts';

export interface Mp3Audio {
  /** The first audio frame's header: the stream's version, rate and mode. */
  header: MpegFrameHeader;
  /** Audio frames, byte ranges into the input. */
  frames: { offset: number; bytes: number; bitrateKbps: number }[];
  /** Sum of the frames' bytes. */
  audioBytes: number;
}

/** Byte size of a leading ID3v2 tag (0 when there is none). */
export function id3v2Size(buf: Uint8Array): number {
  if (buf.length < 10 || readAscii(buf, 0, 3) !== 'ID3') return 0;
  const size = ((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f);
  const footer = (buf[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** True when the frame at `offset` carries a Xing/Info or VBRI header (no audio). */
export function isInfoFrame(buf: Uint8Array, offset: number, h: MpegFrameHeader): boolean {
  const xing = offset + 4 + (h.protection ? 2 : 0) + h.sideInfoBytes;
  const tag = readAscii(buf, xing, 4);
  return tag === 'Xing' || tag === 'Info' || readAscii(buf, offset + 36, 4) === 'VBRI';
}

/** The audio frames of one chunk. Throws when a chunk has none or mixes rates or modes. */
export function mp3AudioFrames(buf: Uint8Array): Mp3Audio {
  let end = buf.length;
  if (end >= 128 && readAscii(buf, end - 128, 3) === 'TAG') end -= 128;
  let offset = id3v2Size(buf);
  let first: MpegFrameHeader | undefined;
  const frames: Mp3Audio['frames'] = [];
  let audioBytes = 0;
  while (offset + 4 <= end) {
    const h = parseFrameHeader(buf, offset);
    // A header must be followed by another header (or the end) to count: resync past junk.
    if (!h || offset + h.frameBytes > end || (offset + h.frameBytes + 4 <= end && !parseFrameHeader(buf, offset + h.frameBytes))) {
      offset++;
      continue;
    }
    if (!first) {
      if (isInfoFrame(buf, offset, h)) {
        offset += h.frameBytes;
        continue;
      }
      first = h;
    } else if (h.sampleRate !== first.sampleRate || (h.channelMode === 3) !== (first.channelMode === 3)) {
      throw new AudioContainerError(`MP3 chunk changes format mid-stream (${h.sampleRate} Hz after ${first.sampleRate} Hz)`);
    }
    frames.push({ offset, bytes: h.frameBytes, bitrateKbps: h.bitrateKbps });
    audioBytes += h.frameBytes;
    offset += h.frameBytes;
  }
  if (!first) throw new AudioContainerError('no MPEG Layer III audio frames in chunk');
  return { header: first, frames, audioBytes };
}
