// The Ogg pages that open an Opus file: OpusHead alone on the first page, then
// OpusTags on as many pages as it needs, laid out to fill a slot of exactly
// `slotBytes` (the padding goes after the comment list). The slot is reserved
// before any audio is written, so the pages are sized, not the slot.
import { FLAG_BOS, FLAG_CONTINUED, MAX_SEGMENTS, PAGE_HEADER_BYTES, lacing, writePage } from '../ogg/page.ts';
import { OPUS_HEAD_BYTES, writeOpusHead, type OpusHead } from './head.ts';
import { writeOpusTags, type OpusTagsInput } from './tags.ts';

const HEAD_PAGE_BYTES = PAGE_HEADER_BYTES + 1 + OPUS_HEAD_BYTES;

export interface HeaderLayout {
  /** OpusTags packet length including padding. */
  tagsBytes: number;
  /** Pages OpusTags spans. */
  tagsPages: number;
}

/** Smallest slot that holds the headers for `tags` (chapter times are fixed-width, so values do not change it). */
export function opusHeaderMinBytes(tags: OpusTagsInput): number {
  const l = writeOpusTags(tags).length;
  const segments = Math.floor(l / 255) + 1;
  return HEAD_PAGE_BYTES + l + segments + PAGE_HEADER_BYTES * Math.ceil(segments / MAX_SEGMENTS);
}

/** How OpusTags fills `slotBytes`: the packet length and page count that add up exactly. */
export function headerLayout(tagsMinBytes: number, slotBytes: number): HeaderLayout {
  const room = slotBytes - HEAD_PAGE_BYTES;
  for (let pages = 1; pages < 64; pages++) {
    // size = L + (floor(L / 255) + 1) lacing bytes + 27 per page
    const x = room - 1 - PAGE_HEADER_BYTES * pages;
    const guess = Math.floor((x * 255) / 256);
    for (let l = guess - 2; l <= guess + 2; l++) {
      if (l < tagsMinBytes || l + Math.floor(l / 255) !== x) continue;
      const segments = Math.floor(l / 255) + 1;
      if (Math.ceil(segments / MAX_SEGMENTS) <= pages && pages <= segments) return { tagsBytes: l, tagsPages: pages };
    }
  }
  throw new RangeError(`an Opus header slot of ${slotBytes} bytes cannot hold ${tagsMinBytes} bytes of OpusTags`);
}

/** OpusHead and OpusTags pages, exactly `slotBytes` long. Audio pages continue at sequence `1 + tagsPages`. */
export function opusHeaderPages(head: OpusHead, tags: OpusTagsInput, serial: number, slotBytes: number): Uint8Array {
  const bare = writeOpusTags(tags);
  const layout = headerLayout(bare.length, slotBytes);
  const packet = writeOpusTags(tags, layout.tagsBytes - bare.length);
  const out = new Uint8Array(slotBytes);
  out.set(writePage({ flags: FLAG_BOS, granule: 0, serial, sequence: 0 }, lacing(OPUS_HEAD_BYTES), writeOpusHead(head)), 0);
  let offset = HEAD_PAGE_BYTES;
  const laces = lacing(packet.length);
  let lace = 0;
  let body = 0;
  for (let p = 0; p < layout.tagsPages; p++) {
    const left = layout.tagsPages - p - 1;
    const count = Math.min(MAX_SEGMENTS, laces.length - lace - left);
    const segs = laces.slice(lace, lace + count);
    const bytes = segs.reduce((a, b) => a + b, 0);
    const last = p === layout.tagsPages - 1;
    const page = writePage({ flags: p === 0 ? 0 : FLAG_CONTINUED, granule: last ? 0 : -1, serial, sequence: 1 + p }, segs, packet.subarray(body, body + bytes));
    out.set(page, offset);
    offset += page.length;
    lace += count;
    body += bytes;
  }
  if (offset !== slotBytes) throw new Error(`Opus header layout is ${offset} bytes, not ${slotBytes}`);
  return out;
}
