// The OpusTags comment header (RFC 7845 section 5.2) of an audiobook: title,
// artist, album, chapters as CHAPTERxxx / CHAPTERxxxNAME comments (the
// Vorbis chapter extension), and the cover as a METADATA_BLOCK_PICTURE.
import { base64Bytes, concatBytes, latin1Bytes, u32be, u32le, utf8Bytes } from '../bytes.ts';

export const VENDOR = 'Lector';

export interface OpusChapter {
  title: string;
  startMs: number;
}

export interface OpusTagsInput {
  title?: string;
  artist?: string;
  album?: string;
  cover?: { mimeType: string; data: Uint8Array };
  chapters?: readonly OpusChapter[];
}

/** HH:MM:SS.mmm, as the chapter extension writes times. */
export function chapterTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(total % 1000, 3)}`;
}

/** The FLAC picture block, base64, as Vorbis comments carry a cover. */
export function pictureBlock(cover: { mimeType: string; data: Uint8Array }): string {
  const mime = latin1Bytes(cover.mimeType);
  return base64Bytes(concatBytes([u32be(3), u32be(mime.length), mime, u32be(0), u32be(0), u32be(0), u32be(0), u32be(0), u32be(cover.data.length), cover.data]));
}

export function opusComments(input: OpusTagsInput): string[] {
  const out: string[] = [];
  if (input.title) out.push(`TITLE=${input.title}`);
  if (input.artist) out.push(`ARTIST=${input.artist}`);
  if (input.album) out.push(`ALBUM=${input.album}`);
  (input.chapters ?? []).forEach((c, i) => {
    const n = String(i + 1).padStart(3, '0');
    out.push(`CHAPTER${n}=${chapterTime(c.startMs)}`, `CHAPTER${n}NAME=${c.title}`);
  });
  if (input.cover) out.push(`METADATA_BLOCK_PICTURE=${pictureBlock(input.cover)}`);
  return out;
}

/** The OpusTags packet; `paddingBytes` zeros follow the comment list (allowed by RFC 7845). */
export function writeOpusTags(input: OpusTagsInput, paddingBytes = 0): Uint8Array {
  const vendor = utf8Bytes(VENDOR);
  const comments = opusComments(input).map((c) => utf8Bytes(c));
  return concatBytes([
    latin1Bytes('OpusTags'),
    u32le(vendor.length),
    vendor,
    u32le(comments.length),
    ...comments.flatMap((c) => [u32le(c.length), c]),
    new Uint8Array(paddingBytes),
  ]);
}
