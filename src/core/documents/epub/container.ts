// META-INF/container.xml: where the package document (OPF) is.

import { documentError } from '../errors.ts';
import type { ZipArchive } from '../zip/archive.ts';
import { descendants, parseXml } from '../xml/tree.ts';
import { readText } from './files.ts';

export const CONTAINER_PATH = 'META-INF/container.xml';
const OPF_MEDIA_TYPE = 'application/oebps-package+xml';

/** The archive path of the package document. */
export function packagePathOf(archive: ZipArchive): string {
  if (!archive.entries.has(CONTAINER_PATH)) {
    throw documentError('epub_no_container', `the EPUB has no ${CONTAINER_PATH}`);
  }
  const doc = parseXml(readText(archive, CONTAINER_PATH, 'the container'), CONTAINER_PATH);
  const rootfiles = descendants(doc, 'rootfile').filter((r) => r.attribs['full-path']);
  const rootfile = rootfiles.find((r) => r.attribs['media-type'] === OPF_MEDIA_TYPE) ?? rootfiles[0];
  if (!rootfile) throw documentError('epub_no_package', `${CONTAINER_PATH} names no package document (rootfile)`);
  const path = rootfile.attribs['full-path']!.replace(/^\/+/, '');
  if (!archive.entries.has(path)) throw documentError('epub_no_package', `the package document "${path}" is not in the EPUB`, { path });
  return path;
}
