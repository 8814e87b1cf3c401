// An MP3 audiobook: [ID3v2.4 tag, padded][Xing/Info frame] in the slot, then
// each chunk's audio frames with whole silent frames for the pauses.
import { AudioContainerError, concatBytes } from '../bytes.ts';
import { id3Tag, id3TagMinBytes } from '../id3v2/tag.ts';
import type { MpegFrameHeader } from '../mp3/frame-header.ts';
import { mp3AudioFrames } from '../mp3/frames.ts';
import { silentFrame } from '../mp3/silence.ts';
import { xingFrame } from '../mp3/xing.ts';
import { placeholderChapters, type BookTags } from './metadata.ts';
import { pauseSamples } from './timeline.ts';
import type { BookWriter } from './writer.ts';

/** Room for the Xing frame (at most 1,441 bytes) and spare. */
const SLOT_MARGIN = 2048;
/** Seek checkpoints kept; every other one is dropped when full. */
const MAX_CHECKPOINTS = 256;

export interface Mp3BookState {
  format: 'mp3';
  /** First audio frame's header, once a chunk is in. */
  stream?: MpegFrameHeader;
  frames: number;
  audioBytes: number;
  /** False once two bitrates were seen. */
  constantBitrate: boolean;
  /** [frame, byte] at chunk starts, for the Xing seek table. */
  checkpoints: [number, number][];
}

function id3Input(tags: BookTags, chapters: ReturnType<typeof placeholderChapters>) {
  return { title: tags.title, artist: tags.artist, album: tags.album, cover: tags.cover, chapters };
}

function tocOffsets(state: Mp3BookState): number[] {
  const points = [...state.checkpoints, [state.frames, state.audioBytes] as [number, number]];
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < 100; i++) {
    const frame = (i / 100) * state.frames;
    while (j < points.length - 2 && points[j + 1]![0] <= frame) j++;
    const [f0, b0] = points[j]!;
    const [f1, b1] = points[j + 1] ?? points[j]!;
    out.push(f1 > f0 ? b0 + ((frame - f0) / (f1 - f0)) * (b1 - b0) : b0);
  }
  return out;
}

export const mp3BookWriter: BookWriter<Mp3BookState> = {
  format: 'mp3',
  slotBytes: (tags) => id3TagMinBytes(id3Input(tags, placeholderChapters(tags))) + SLOT_MARGIN,
  start: () => ({ format: 'mp3', frames: 0, audioBytes: 0, constantBitrate: true, checkpoints: [] }),
  append(state, chunk, pause, _last, pauses) {
    const audio = mp3AudioFrames(chunk);
    const stream = state.stream ?? audio.header;
    if (audio.header.sampleRate !== stream.sampleRate || audio.header.version !== stream.version || (audio.header.channelMode === 3) !== (stream.channelMode === 3)) {
      throw new AudioContainerError(`MP3 chunk at ${audio.header.sampleRate} Hz does not match the book's ${stream.sampleRate} Hz`);
    }
    const next: Mp3BookState = { ...state, stream, checkpoints: [...state.checkpoints] };
    const parts: Uint8Array[] = [];
    const silenceCount = pauseSamples(pause, pauses, stream.sampleRate, stream.samplesPerFrame) / stream.samplesPerFrame;
    if (silenceCount > 0) {
      const silent = silentFrame(stream, stream.bitrateKbps);
      for (let i = 0; i < silenceCount; i++) parts.push(silent);
      next.frames += silenceCount;
      next.audioBytes += silent.length * silenceCount;
    }
    next.checkpoints.push([next.frames, next.audioBytes]);
    if (next.checkpoints.length > MAX_CHECKPOINTS) next.checkpoints = next.checkpoints.filter((_, i) => i % 2 === 0);
    const startFrames = next.frames;
    for (const f of audio.frames) {
      parts.push(chunk.subarray(f.offset, f.offset + f.bytes));
      if (f.bitrateKbps !== stream.bitrateKbps) next.constantBitrate = false;
    }
    next.frames += audio.frames.length;
    next.audioBytes += audio.audioBytes;
    const ms = (frames: number) => (frames * stream.samplesPerFrame * 1000) / stream.sampleRate;
    return { bytes: concatBytes(parts), state: next, startMs: ms(startFrames), endMs: ms(next.frames) };
  },
  durationMs: (s) => (s.stream ? (s.frames * s.stream.samplesPerFrame * 1000) / s.stream.sampleRate : 0),
  header(state, tags, chapters, slotBytes) {
    if (!state.stream) throw new AudioContainerError('an MP3 book needs at least one chunk');
    const xing = xingFrame(state.stream, { frames: state.frames, audioBytes: state.audioBytes, tocOffsets: tocOffsets(state), constantBitrate: state.constantBitrate });
    return concatBytes([id3Tag(id3Input(tags, [...chapters]), slotBytes - xing.length), xing]);
  },
};
