// DRM detection: META-INF/encryption.xml listing encrypted content other than
// font obfuscation (which only scrambles embedded fonts and is not DRM), or an
// entry the ZIP itself marks as encrypted.

import { documentError } from '../errors.ts';
import type { ZipArchive } from '../zip/archive.ts';
import { childElements, descendants, parseXml } from '../xml/tree.ts';
import { readText } from './files.ts';

const ENCRYPTION_PATH = 'META-INF/encryption.xml';
const FONT_OBFUSCATION = new Set(['http://www.idpf.org/2008/embedding', 'http://ns.adobe.com/pdf/enc#RC']);

/** Throws `epub_drm` if any content of the book is encrypted. */
export function assertNotEncrypted(archive: ZipArchive): void {
  for (const entry of archive.entries.values()) {
    if (entry.encrypted) throw documentError('epub_drm', `"${entry.name}" is encrypted: DRM-protected books cannot be read`, { entry: entry.name });
  }
  if (!archive.entries.has(ENCRYPTION_PATH)) return;
  const doc = parseXml(readText(archive, ENCRYPTION_PATH, 'the encryption list'), ENCRYPTION_PATH);
  for (const data of descendants(doc, 'encrypteddata')) {
    const algorithm = childElements(data, 'encryptionmethod')[0]?.attribs['Algorithm'] ?? '';
    if (!FONT_OBFUSCATION.has(algorithm)) {
      const uri = descendants(data, 'cipherreference')[0]?.attribs['URI'] ?? '';
      throw documentError('epub_drm', `the EPUB is DRM-protected ("${uri}" is encrypted with ${algorithm || 'an unnamed algorithm'})`, {
        algorithm,
        uri,
      });
    }
  }
}
