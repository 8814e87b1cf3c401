// ID3v2.4 frames as pure functions from values to bytes: text frames (UTF-8),
// APIC (cover), and the chapter frames CHAP and CTOC of the ID3v2 Chapter
// Frame Addendum 1.0.
import { concatBytes, latin1Bytes, u32be, utf8Bytes } from '../bytes.ts';

const UTF8 = 3;
const NUL = new Uint8Array([0]);

/** A 28-bit integer as four 7-bit bytes (ID3v2.4 sizes). */
export function syncsafe(n: number): Uint8Array {
  if (n > 0x0fffffff) throw new RangeError(`ID3v2 size ${n} over 256 MiB`);
  return new Uint8Array([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

/** Frame = id, syncsafe size, two flag bytes, body. */
export function id3Frame(id: string, body: Uint8Array): Uint8Array {
  return concatBytes([latin1Bytes(id), syncsafe(body.length), new Uint8Array(2), body]);
}

/** TIT2, TPE1, TALB...: encoding byte + UTF-8 text. */
export function textFrame(id: string, text: string): Uint8Array {
  return id3Frame(id, concatBytes([new Uint8Array([UTF8]), utf8Bytes(text)]));
}

export interface CoverPicture {
  mimeType: string;
  data: Uint8Array;
}

/** APIC with picture type 3 (front cover) and an empty description. */
export function pictureFrame(cover: CoverPicture): Uint8Array {
  return id3Frame('APIC', concatBytes([new Uint8Array([UTF8]), latin1Bytes(cover.mimeType), NUL, new Uint8Array([3]), NUL, cover.data]));
}

export interface ChapterFrameInput {
  elementId: string;
  startMs: number;
  endMs: number;
  title: string;
}

/** CHAP: element id, start/end time in ms, byte offsets unused (0xFFFFFFFF), an embedded TIT2. */
export function chapterFrame(c: ChapterFrameInput): Uint8Array {
  return id3Frame(
    'CHAP',
    concatBytes([latin1Bytes(c.elementId), NUL, u32be(Math.round(c.startMs)), u32be(Math.round(c.endMs)), u32be(0xffffffff), u32be(0xffffffff), textFrame('TIT2', c.title)]),
  );
}

/** The most child entries one CTOC can list (its count is one byte). */
export const MAX_TOC_ENTRIES = 255;

/** CTOC flagged top-level and ordered, listing `childIds` in play order. */
export function tableOfContentsFrame(elementId: string, childIds: readonly string[]): Uint8Array {
  if (childIds.length > MAX_TOC_ENTRIES) throw new RangeError(`a CTOC lists at most ${MAX_TOC_ENTRIES} chapters`);
  const children = childIds.map((id) => concatBytes([latin1Bytes(id), NUL]));
  return id3Frame('CTOC', concatBytes([latin1Bytes(elementId), NUL, new Uint8Array([0x03, childIds.length]), ...children]));
}
