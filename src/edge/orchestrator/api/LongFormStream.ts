// The long-form `/v1/audio/speech` response body: a job's chunks, in index
// order as its event stream announces them, joined into one stream of the
// asked `response_format` — by concatenating or re-framing bytes only:
// wav/pcm (PCM with silent pauses), flac (the same PCM in verbatim FLAC
// frames), mp3 (raw frames with silent frames for pauses), opus (the chunks'
// Ogg Opus re-framed into one logical stream), aac (ADTS frames, no pauses).
import type { ChunkAudioFormat, ChunkEventData } from '../../../core/api/types.ts';
import { pauseKind } from '../../../core/audio/book/timeline.ts';
import { bookWriter } from '../../../core/audio/book/writers.ts';
import type { BookWriter, BookWriterState } from '../../../core/audio/book/writer.ts';
import { flacFrames, flacStreamHeader, type FlacFramerState } from '../../../core/audio/flac/verbatim.ts';
import { DEFAULT_PAUSES, pauseBeforeMs } from '../../../core/audio/timeline.ts';
import { WAV_HEADER_BYTES, parseWav, silenceBytes, wavHeader } from '../../../core/audio/wav.ts';
import { chunkAudioKey } from '../../../core/ids.ts';
import type { ResponseFormat } from '../../../core/openai/speech.ts';
import { SseParser } from '../../../core/sse.ts';

/** The format a response's chunks are made in: its own codec, or PCM WAV for wav, pcm and flac. */
export function chunkFormatFor(format: ResponseFormat): ChunkAudioFormat {
  return format === 'mp3' || format === 'opus' || format === 'aac' ? format : 'wav';
}

/** Turns each chunk (in order) into the bytes to send; `finish` ends the stream. */
export interface Joiner {
  chunk(bytes: Uint8Array, position: number, paragraphStart: boolean): Uint8Array[];
  finish(): Uint8Array[];
}

function pcmJoiner(format: 'wav' | 'pcm' | 'flac'): Joiner {
  const flac: FlacFramerState = { sampleRate: 0, written: 0, carry: new Uint8Array(0) };
  let channels = 1;
  return {
    chunk(bytes, position, paragraphStart) {
      const wav = parseWav(bytes);
      const out: Uint8Array[] = [];
      channels = wav.format.channels;
      if (position === 0 && format === 'wav') out.push(wavHeader(wav.format, 0xffffffff - WAV_HEADER_BYTES)); // sizes unknown: the streaming convention
      if (position === 0 && format === 'flac') {
        flac.sampleRate = wav.format.sampleRate;
        out.push(flacStreamHeader(wav.format.sampleRate, channels));
      }
      const pause = new Uint8Array(silenceBytes(pauseBeforeMs(position, paragraphStart, DEFAULT_PAUSES), wav.format));
      if (format === 'flac') out.push(flacFrames(flac, pause, channels, false), flacFrames(flac, wav.pcm, channels, false));
      else out.push(pause, wav.pcm);
      return out;
    },
    finish: () => (format === 'flac' ? [flacFrames(flac, new Uint8Array(0), channels, true)] : []),
  };
}

/** MP3 and Ogg Opus through the audiobook writers, without their header slot (Opus: headers first). */
function bookJoiner(format: 'mp3' | 'opus'): Joiner {
  const w = bookWriter(format) as BookWriter<BookWriterState>;
  const slot = w.slotBytes({});
  let state = w.start({}, slot, 0x4c4543);
  // Ogg marks the last page: a chunk is written once the next one (or the end) is known.
  let held: { bytes: Uint8Array; position: number; paragraphStart: boolean } | undefined;
  const write = (last: boolean): Uint8Array[] => {
    if (!held) return [];
    const r = w.append(state, held.bytes, pauseKind(held.position, held.paragraphStart), last, DEFAULT_PAUSES);
    state = r.state;
    const out = held.position === 0 && format === 'opus' ? [w.header(state, {}, [], slot), r.bytes] : [r.bytes];
    held = undefined;
    return out;
  };
  return {
    chunk(bytes, position, paragraphStart) {
      if (format === 'mp3') {
        held = { bytes, position, paragraphStart };
        return write(false);
      }
      const out = write(false);
      held = { bytes, position, paragraphStart };
      return out;
    },
    finish: () => write(true),
  };
}

const aacJoiner: Joiner = { chunk: (bytes) => [bytes], finish: () => [] };

export function joinerFor(format: ResponseFormat): Joiner {
  if (format === 'mp3' || format === 'opus') return bookJoiner(format);
  if (format === 'aac') return aacJoiner;
  return pcmJoiner(format);
}

/** Follows the job's events and writes each chunk in order, then ends the stream. */
export async function pipeLongForm(bucket: R2Bucket, jobId: string, events: ReadableStream<Uint8Array>, out: WritableStream<Uint8Array>, format: ResponseFormat): Promise<void> {
  const writer = out.getWriter();
  const reader = events.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  const joiner = joinerFor(format);
  const ext = chunkFormatFor(format);
  let position = 0;
  const send = async (parts: Uint8Array[]): Promise<void> => {
    for (const p of parts) if (p.byteLength > 0) await writer.write(p);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('job stream ended early');
      for (const ev of parser.push(value)) {
        if (ev.event === 'end') {
          await send(joiner.finish());
          await writer.close();
          return;
        }
        if (ev.event === 'error') throw new Error(`job failed: ${ev.data}`);
        if (ev.event !== 'message') continue;
        const chunk = JSON.parse(ev.data) as ChunkEventData;
        const obj = await bucket.get(chunkAudioKey(jobId, chunk.index, ext));
        if (!obj) throw new Error(`chunk ${chunk.index} audio missing`);
        await send(joiner.chunk(new Uint8Array(await obj.arrayBuffer()), position, chunk.paragraphStart));
        position++;
      }
    }
  } catch (e) {
    console.error('v1/audio/speech stream aborted', String(e));
    await reader.cancel().catch(() => undefined);
    await writer.abort(e).catch(() => undefined);
  }
}
