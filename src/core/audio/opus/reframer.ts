// Re-frames many per-chunk Ogg Opus streams into one logical stream: each
// chunk's OpusHead/OpusTags are dropped, its audio packets are re-paged under
// one serial with continuous page sequence numbers and granule positions,
// and designed pauses become silent packets. The state between chunks is a
// small JSON value, so a book can be re-framed over many invocations.
import { AudioContainerError, concatBytes, readAscii } from '../bytes.ts';
import { FLAG_EOS, MAX_SEGMENTS, lacing, readPackets, writePacketsPage } from '../ogg/page.ts';
import { readOpusHead } from './head.ts';
import { SILENT_PACKET_SAMPLES, opusPacketSamples, silentOpusPacket } from './packet.ts';

/** Packets per page: about one second of 20 ms packets keeps pages small and seeking fine-grained. */
const PACKETS_PER_PAGE = 50;

export interface OpusReframerState {
  serial: number;
  /** Sequence number of the next page. */
  sequence: number;
  /** 48 kHz samples written so far (the next packet's start granule). */
  granule: number;
  /** From the first chunk; later chunks must match. */
  channels: number;
  /** The first chunk's pre-skip: the whole stream's. */
  preSkip: number;
  inputSampleRate: number;
  /** Final granule once the last chunk is in (its end trim kept). */
  endGranule?: number;
}

export interface ReframedChunk {
  pages: Uint8Array;
  state: OpusReframerState;
  /** Granule where the chunk's packets start (after the pause). */
  startGranule: number;
  /** The chunk's own pre-skip: its sound starts this many samples after `startGranule`. */
  preSkip: number;
  /** 48 kHz samples the chunk's packets occupy. */
  packetSamples: number;
  /** Samples of sound the chunk's own stream declares (final granule minus pre-skip). */
  playableSamples: number;
}

/** Before the first chunk: `firstSequence` is the page after the header pages. */
export function startReframer(serial: number, firstSequence: number): OpusReframerState {
  return { serial, sequence: firstSequence, granule: 0, channels: 0, preSkip: 0, inputSampleRate: 0 };
}

/** Audio packets of one chunk plus what its headers and last granule say. */
export function chunkPackets(chunk: Uint8Array): { channels: number; preSkip: number; inputSampleRate: number; packets: Uint8Array[]; finalGranule: number | undefined } {
  const all = readPackets(chunk);
  if (all.length < 2) throw new AudioContainerError('Ogg Opus chunk without OpusHead and OpusTags');
  const head = readOpusHead(all[0]!.data);
  if (readAscii(all[1]!.data, 0, 8) !== 'OpusTags') throw new AudioContainerError('second Ogg packet is not OpusTags');
  const audio = all.slice(2);
  return { ...head, packets: audio.map((p) => p.data), finalGranule: audio.at(-1)?.pageGranule };
}

/** Appends one chunk after `pausePackets` silent 20 ms packets; `last` closes the stream (EOS, end trim). */
export function reframeChunk(state: OpusReframerState, chunk: Uint8Array, pausePackets: number, last: boolean): ReframedChunk {
  const parsed = chunkPackets(chunk);
  const first = state.channels === 0;
  if (!first && parsed.channels !== state.channels) throw new AudioContainerError(`Opus chunk has ${parsed.channels} channels, the book ${state.channels}`);
  const next: OpusReframerState = first ? { ...state, channels: parsed.channels, preSkip: parsed.preSkip, inputSampleRate: parsed.inputSampleRate } : { ...state };
  const silence = silentOpusPacket(next.channels);
  const packets: { data: Uint8Array; samples: number }[] = [];
  for (let i = 0; i < pausePackets; i++) packets.push({ data: silence, samples: SILENT_PACKET_SAMPLES });
  const startGranule = next.granule + pausePackets * SILENT_PACKET_SAMPLES;
  let packetSamples = 0;
  for (const p of parsed.packets) {
    const samples = opusPacketSamples(p);
    packetSamples += samples;
    packets.push({ data: p, samples });
  }
  const declared = parsed.finalGranule ?? packetSamples;
  const playableSamples = Math.max(0, Math.min(declared, packetSamples) - parsed.preSkip);
  const endGranule = last ? startGranule + Math.min(declared, packetSamples) : undefined;

  const pages: Uint8Array[] = [];
  let page: Uint8Array[] = [];
  let segments = 0;
  const flush = (final: boolean) => {
    if (page.length === 0) return;
    const granule = final && endGranule !== undefined ? endGranule : next.granule;
    pages.push(writePacketsPage({ flags: final && last ? FLAG_EOS : 0, granule, serial: next.serial, sequence: next.sequence }, page));
    next.sequence++;
    page = [];
    segments = 0;
  };
  packets.forEach((p, i) => {
    const laces = lacing(p.data.length).length;
    if (page.length >= PACKETS_PER_PAGE || segments + laces > MAX_SEGMENTS) flush(false);
    page.push(p.data);
    segments += laces;
    next.granule += p.samples;
    if (i === packets.length - 1) flush(true);
  });
  if (endGranule !== undefined) next.endGranule = endGranule;
  return { pages: concatBytes(pages), state: next, startGranule, preSkip: parsed.preSkip, packetSamples, playableSamples };
}
