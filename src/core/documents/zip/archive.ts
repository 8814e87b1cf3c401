// Lazy ZIP access for EPUBs. The central directory is indexed once (names,
// sizes, offsets: a few microseconds per entry); an entry is inflated only
// when asked for, by fflate's streaming Inflate fed 16 KB at a time, so an
// entry that inflates past its declared size is stopped after at most one
// slice's worth of output. (fflate's unzipSync inflates into a buffer of the
// declared size and keeps decoding past its end, and exposes no offsets, so
// the index is read here and the inflating is fflate's.)

import { Inflate } from 'fflate';
import { documentError } from '../errors.ts';
import type { DocumentLimits } from '../limits.ts';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** Declared uncompressed size. */
  size: number;
  localHeaderOffset: number;
  /** General-purpose flag bit 0: the entry is encrypted. */
  encrypted: boolean;
}

export interface ZipArchive {
  bytes: Uint8Array;
  entries: Map<string, ZipEntry>;
}

// Layouts (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16): signatures and field offsets.
const EOCD = { signature: 0x06054b50, size: 22, entryCount: 10, directoryOffset: 16, maxComment: 0xffff } as const;
const CENTRAL = { signature: 0x02014b50, size: 46, flags: 8, method: 10, compressedSize: 20, size32: 24, nameLength: 28, extraLength: 30, commentLength: 32, localOffset: 42 } as const;
const LOCAL = { signature: 0x04034b50, size: 30, nameLength: 26, extraLength: 28 } as const;
const INFLATE_SLICE = 16 * 1024;

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** Indexes the archive's central directory; checks declared sizes against `limits` (zip bombs). */
export function indexZip(bytes: Uint8Array, limits: DocumentLimits): ZipArchive {
  const notZip = () => documentError('epub_not_zip', 'the document is not a ZIP archive (an EPUB is one)');
  if (bytes.length < EOCD.size || u32(bytes, 0) !== LOCAL.signature) throw notZip();
  let eocd = -1;
  const stop = Math.max(0, bytes.length - EOCD.size - EOCD.maxComment);
  for (let o = bytes.length - EOCD.size; o >= stop; o--) {
    if (u32(bytes, o) === EOCD.signature) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) throw notZip();
  const count = u16(bytes, eocd + EOCD.entryCount);
  let offset = u32(bytes, eocd + EOCD.directoryOffset);
  if (count === 0xffff || offset === 0xffffffff) throw documentError('epub_corrupt', 'ZIP64 archives are not supported for EPUBs');
  if (count > limits.maxEntries) throw documentError('epub_zip_bomb', `the archive lists ${count} files (limit ${limits.maxEntries})`);
  const entries = new Map<string, ZipEntry>();
  const names = new TextDecoder();
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (offset + CENTRAL.size > bytes.length || u32(bytes, offset) !== CENTRAL.signature) {
      throw documentError('epub_corrupt', 'the ZIP central directory is damaged');
    }
    const nameLength = u16(bytes, offset + CENTRAL.nameLength);
    const entry: ZipEntry = {
      name: names.decode(bytes.subarray(offset + CENTRAL.size, offset + CENTRAL.size + nameLength)),
      method: u16(bytes, offset + CENTRAL.method),
      compressedSize: u32(bytes, offset + CENTRAL.compressedSize),
      size: u32(bytes, offset + CENTRAL.size32),
      localHeaderOffset: u32(bytes, offset + CENTRAL.localOffset),
      encrypted: (u16(bytes, offset + CENTRAL.flags) & 1) === 1,
    };
    offset += CENTRAL.size + nameLength + u16(bytes, offset + CENTRAL.extraLength) + u16(bytes, offset + CENTRAL.commentLength);
    checkDeclaredSize(entry, limits);
    total += entry.size;
    if (total > limits.maxUncompressedBytes) {
      throw documentError('epub_zip_bomb', `the archive would expand to more than ${limits.maxUncompressedBytes} bytes`);
    }
    entries.set(entry.name, entry);
  }
  return { bytes, entries };
}

function checkDeclaredSize(entry: ZipEntry, limits: DocumentLimits): void {
  if (entry.size > limits.maxEntryBytes) {
    throw documentError('epub_zip_bomb', `"${entry.name}" would expand to ${entry.size} bytes (limit ${limits.maxEntryBytes})`, { entry: entry.name });
  }
  if (entry.size > limits.ratioFloorBytes && entry.size > entry.compressedSize * limits.maxCompressionRatio) {
    throw documentError('epub_zip_bomb', `"${entry.name}" is compressed more than ${limits.maxCompressionRatio}:1`, { entry: entry.name });
  }
}

/** The uncompressed bytes of one entry; never more than its declared size. */
export function readZipEntry(archive: ZipArchive, entry: ZipEntry): Uint8Array {
  const { bytes } = archive;
  if (entry.encrypted) throw documentError('epub_drm', `"${entry.name}" is encrypted`, { entry: entry.name });
  const local = entry.localHeaderOffset;
  if (local + LOCAL.size > bytes.length || u32(bytes, local) !== LOCAL.signature) {
    throw documentError('epub_corrupt', `the ZIP entry "${entry.name}" is damaged`, { entry: entry.name });
  }
  const start = local + LOCAL.size + u16(bytes, local + LOCAL.nameLength) + u16(bytes, local + LOCAL.extraLength);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw documentError('epub_corrupt', `the ZIP entry "${entry.name}" is truncated`, { entry: entry.name });
  const data = bytes.subarray(start, end);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw documentError('epub_corrupt', `the ZIP entry "${entry.name}" has inconsistent sizes`);
    return data;
  }
  if (entry.method !== 8) throw documentError('epub_corrupt', `"${entry.name}" uses ZIP compression method ${entry.method}`);
  return inflateBounded(data, entry);
}

function inflateBounded(data: Uint8Array, entry: ZipEntry): Uint8Array {
  const out = new Uint8Array(entry.size);
  let written = 0;
  let overrun = false;
  const inflate = new Inflate((chunk) => {
    if (written + chunk.length > out.length) {
      overrun = true;
      return;
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    for (let o = 0; o < data.length && !overrun; o += INFLATE_SLICE) {
      const end = Math.min(o + INFLATE_SLICE, data.length);
      inflate.push(data.subarray(o, end), end === data.length);
    }
  } catch (cause) {
    throw documentError('epub_corrupt', `"${entry.name}" does not inflate: ${String(cause)}`, { entry: entry.name });
  }
  if (overrun) {
    throw documentError('epub_zip_bomb', `"${entry.name}" inflates past its declared ${entry.size} bytes`, { entry: entry.name });
  }
  if (written !== entry.size) throw documentError('epub_corrupt', `"${entry.name}" inflates to ${written} bytes, not the declared ${entry.size}`);
  return out;
}
