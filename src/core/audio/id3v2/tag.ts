// A whole ID3v2.4 tag for an audiobook: title, author, album, cover, one CHAP
// per chapter and a top-level CTOC, zero-padded to an exact size so it can be
// written last into a slot reserved at the front of the file.
import { concatBytes, latin1Bytes } from '../bytes.ts';
import { chapterFrame, pictureFrame, syncsafe, tableOfContentsFrame, textFrame, type CoverPicture } from './frames.ts';

export const ID3_HEADER_BYTES = 10;

export interface Id3Chapter {
  title: string;
  startMs: number;
  endMs: number;
}

export interface Id3TagInput {
  title?: string;
  artist?: string;
  album?: string;
  cover?: CoverPicture;
  chapters?: readonly Id3Chapter[];
}

function frames(input: Id3TagInput): Uint8Array {
  const parts: Uint8Array[] = [];
  if (input.title) parts.push(textFrame('TIT2', input.title));
  if (input.artist) parts.push(textFrame('TPE1', input.artist));
  if (input.album) parts.push(textFrame('TALB', input.album));
  const chapters = input.chapters ?? [];
  if (chapters.length > 0) {
    const ids = chapters.map((_, i) => `ch${i + 1}`);
    parts.push(tableOfContentsFrame('toc', ids));
    chapters.forEach((c, i) => parts.push(chapterFrame({ elementId: ids[i]!, startMs: c.startMs, endMs: c.endMs, title: c.title })));
  }
  if (input.cover) parts.push(pictureFrame(input.cover));
  return concatBytes(parts);
}

/** Bytes of the tag without padding; chapter times are fixed-width, so this is known before they are. */
export function id3TagMinBytes(input: Id3TagInput): number {
  return ID3_HEADER_BYTES + frames(input).length;
}

/** The tag, padded with zeros to exactly `totalBytes` (header included). */
export function id3Tag(input: Id3TagInput, totalBytes: number): Uint8Array {
  const body = frames(input);
  if (ID3_HEADER_BYTES + body.length > totalBytes) throw new RangeError(`ID3 tag needs ${ID3_HEADER_BYTES + body.length} bytes, slot has ${totalBytes}`);
  const tag = new Uint8Array(totalBytes);
  tag.set(concatBytes([latin1Bytes('ID3'), new Uint8Array([4, 0, 0]), syncsafe(totalBytes - ID3_HEADER_BYTES)]), 0);
  tag.set(body, ID3_HEADER_BYTES);
  return tag;
}
