// A WAV audiobook: RIFF/fmt/LIST-INFO/data header in the slot, then each
// chunk's PCM with zero samples for the pauses (byte-exact, as before).
import { AudioContainerError } from '../bytes.ts';
import { taggedWavHeader, taggedWavHeaderBytes } from '../riff/wav-header.ts';
import { parseWav, type PcmFormat } from '../wav.ts';
import type { BookTags } from './metadata.ts';
import { pauseSamples } from './timeline.ts';
import type { BookWriter } from './writer.ts';

export interface WavBookState {
  format: 'wav';
  pcm?: PcmFormat;
  dataBytes: number;
}

const info = (tags: BookTags) => ({ title: tags.title, artist: tags.artist, album: tags.album });

export const wavBookWriter: BookWriter<WavBookState> = {
  format: 'wav',
  slotBytes: (tags) => taggedWavHeaderBytes(info(tags)),
  start: () => ({ format: 'wav', dataBytes: 0 }),
  append(state, chunk, pause, _last, pauses) {
    const wav = parseWav(chunk);
    const pcm = state.pcm ?? wav.format;
    if (wav.format.sampleRate !== pcm.sampleRate || wav.format.channels !== pcm.channels) {
      throw new AudioContainerError(`WAV chunk at ${wav.format.sampleRate} Hz does not match the book's ${pcm.sampleRate} Hz`);
    }
    const frameBytes = pcm.channels * 2;
    const silence = pauseSamples(pause, pauses, pcm.sampleRate, 1) * frameBytes;
    const bytes = new Uint8Array(silence + wav.pcm.length);
    bytes.set(wav.pcm, silence);
    const start = state.dataBytes + silence;
    const ms = (b: number) => (b / frameBytes / pcm.sampleRate) * 1000;
    return { bytes, state: { format: 'wav', pcm, dataBytes: start + wav.pcm.length }, startMs: ms(start), endMs: ms(start + wav.pcm.length) };
  },
  durationMs: (s) => (s.pcm ? (s.dataBytes / (s.pcm.channels * 2) / s.pcm.sampleRate) * 1000 : 0),
  header(state, tags) {
    if (!state.pcm) throw new AudioContainerError('a WAV book needs at least one chunk');
    return taggedWavHeader(state.pcm, state.dataBytes, info(tags));
  },
};
