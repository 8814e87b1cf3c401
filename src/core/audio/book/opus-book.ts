// An Ogg Opus audiobook: [OpusHead page][OpusTags pages, padded] in the slot,
// then one logical stream re-framed from every chunk's own stream.
import { AudioContainerError } from '../bytes.ts';
import { headerLayout, opusHeaderMinBytes, opusHeaderPages } from '../opus/header-pages.ts';
import { OPUS_RATE } from '../opus/head.ts';
import { SILENT_PACKET_SAMPLES } from '../opus/packet.ts';
import { reframeChunk, startReframer, type OpusReframerState } from '../opus/reframer.ts';
import { writeOpusTags, type OpusTagsInput } from '../opus/tags.ts';
import { placeholderChapters, type BookTags, type ChapterTime } from './metadata.ts';
import { pauseSamples } from './timeline.ts';
import type { BookWriter } from './writer.ts';

/** Spare bytes in the slot (chapter times past 99 hours grow by a digit). */
const SLOT_MARGIN = 512;

export interface OpusBookState {
  format: 'opus';
  reframer: OpusReframerState;
}

/**
 * Largest OpusTags packet that fits on one page (255 lacing values). RFC 7845
 * lets OpusTags span pages, but common demuxers (codec-parser, under
 * ogg-opus-decoder and web players) read it from page 1 only, so a cover that
 * would not fit is left out of Opus files.
 */
const ONE_PAGE_PACKET_BYTES = 254 * 255 + 254;

function tagsInput(tags: BookTags, chapters: readonly ChapterTime[]): OpusTagsInput {
  const input = { title: tags.title, artist: tags.artist, album: tags.album, cover: tags.cover, chapters };
  if (input.cover && writeOpusTags(input).length + SLOT_MARGIN + 8 > ONE_PAGE_PACKET_BYTES) return { ...input, cover: undefined };
  return input;
}

/** Whether the cover goes into an Opus file's OpusTags (it must fit one page). */
export function opusCarriesCover(tags: BookTags): boolean {
  return tagsInput(tags, placeholderChapters(tags)).cover !== undefined;
}

const ms = (samples: number) => (samples * 1000) / OPUS_RATE;

export const opusBookWriter: BookWriter<OpusBookState> = {
  format: 'opus',
  slotBytes(tags) {
    const input = tagsInput(tags, placeholderChapters(tags));
    const bare = writeOpusTags(input).length;
    // Some sizes need a second page to fill exactly; the next byte up fits on one.
    let slot = opusHeaderMinBytes(input) + SLOT_MARGIN;
    while (headerLayout(bare, slot).tagsPages !== 1) slot++;
    return slot;
  },
  start(tags, slotBytes, serial) {
    const layout = headerLayout(writeOpusTags(tagsInput(tags, placeholderChapters(tags))).length, slotBytes);
    return { format: 'opus', reframer: startReframer(serial, 1 + layout.tagsPages) };
  },
  append(state, chunk, pause, last, pauses) {
    const packets = pauseSamples(pause, pauses, OPUS_RATE, SILENT_PACKET_SAMPLES) / SILENT_PACKET_SAMPLES;
    const r = reframeChunk(state.reframer, chunk, packets, last);
    const start = r.startGranule + r.preSkip - r.state.preSkip;
    return { bytes: r.pages, state: { format: 'opus', reframer: r.state }, startMs: ms(start), endMs: ms(start + r.playableSamples) };
  },
  durationMs: (s) => ms((s.reframer.endGranule ?? s.reframer.granule) - s.reframer.preSkip),
  header(state, tags, chapters, slotBytes) {
    const r = state.reframer;
    if (r.channels === 0) throw new AudioContainerError('an Opus book needs at least one chunk');
    return opusHeaderPages({ channels: r.channels, preSkip: r.preSkip, inputSampleRate: r.inputSampleRate }, tagsInput(tags, chapters), r.serial, slotBytes);
  },
};
