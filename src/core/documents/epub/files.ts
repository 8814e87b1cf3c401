// Reading files out of an EPUB's archive by path, as bytes or as text.

import { documentError } from '../errors.ts';
import { readZipEntry, type ZipArchive } from '../zip/archive.ts';

/** The bytes of an archive file; `epub_missing_resource` naming `what` if it is absent. */
export function readFile(archive: ZipArchive, path: string, what: string): Uint8Array {
  const entry = archive.entries.get(path);
  if (!entry) throw documentError('epub_missing_resource', `${what} "${path}" is not in the EPUB`, { path });
  return readZipEntry(archive, entry);
}

/**
 * A text file of the package, as UTF-8 (EPUB requires UTF-8 or UTF-16 for XML).
 * Lenient: an invalid byte becomes U+FFFD, which is then removed, so one bad
 * byte in chapter 30 does not fail a job at chapter 30.
 */
export function readText(archive: ZipArchive, path: string, what: string): string {
  const bytes = readFile(archive, path, what);
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  const text = new TextDecoder(utf16 ? (bytes[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8').decode(bytes);
  return text.includes('\uFFFD') ? text.replaceAll('\uFFFD', '') : text;
}
