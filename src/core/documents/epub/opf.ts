// The package document (OPF): metadata, manifest, spine and the cover image,
// for EPUB 2 and EPUB 3 alike.

import type { Element } from 'domhandler';
import type { BookMetadata } from '../book.ts';
import { documentError } from '../errors.ts';
import { resolveHref } from '../paths.ts';
import { attr, childElements, collapsedText, descendants, parseXml, tokens } from '../xml/tree.ts';

export interface ManifestItem {
  id: string;
  /** Archive path. */
  path: string;
  mediaType: string;
  properties: string[];
}

export interface SpineItem {
  item: ManifestItem;
  linear: boolean;
}

export interface PackageDocument {
  version: string;
  metadata: BookMetadata;
  manifest: Map<string, ManifestItem>;
  spine: SpineItem[];
  /** EPUB 3 navigation document. */
  nav: ManifestItem | null;
  /** EPUB 2 NCX (also present in many EPUB 3 books). */
  ncx: ManifestItem | null;
  cover: ManifestItem | null;
  /** EPUB 2 <guide> reference of type "toc": an HTML contents page. */
  guideToc: string | null;
}

/** Parses the OPF at `path`; malformed XML, a missing <package>, or no spine items are errors. */
export function parsePackage(text: string, path: string): PackageDocument {
  const doc = parseXml(text, path);
  const pkg = childElements(doc, 'package')[0];
  if (!pkg) throw documentError('epub_malformed_xml', `${path} has no <package> element`, { file: path });
  const manifest = new Map<string, ManifestItem>();
  for (const el of descendants(pkg, 'item')) {
    const id = el.attribs['id'];
    const href = el.attribs['href'];
    if (!id || !href) continue;
    manifest.set(id, { id, path: resolveHref(path, href).path, mediaType: el.attribs['media-type'] ?? '', properties: tokens(el.attribs['properties']) });
  }
  const spineEl = descendants(pkg, 'spine')[0];
  const spine: SpineItem[] = [];
  for (const ref of spineEl ? descendants(spineEl, 'itemref') : []) {
    const idref = ref.attribs['idref'] ?? '';
    const item = manifest.get(idref);
    if (!item) throw documentError('epub_missing_resource', `the spine names "${idref}", which the manifest does not list`, { idref });
    spine.push({ item, linear: ref.attribs['linear'] !== 'no' });
  }
  if (spine.length === 0) throw documentError('epub_no_spine', `${path} has no spine items: no reading order`);
  const items = [...manifest.values()];
  const tocId = spineEl?.attribs['toc'];
  const metadataEl = descendants(pkg, 'metadata')[0];
  return {
    version: pkg.attribs['version'] ?? '',
    metadata: metadataOf(metadataEl),
    manifest,
    spine,
    nav: items.find((i) => i.properties.includes('nav')) ?? null,
    ncx: (tocId ? manifest.get(tocId) : undefined) ?? items.find((i) => i.mediaType === 'application/x-dtbncx+xml') ?? null,
    cover: coverOf(items, metadataEl, manifest),
    guideToc: guideTocOf(pkg, path),
  };
}

function metadataOf(metadata: Element | undefined): BookMetadata {
  if (!metadata) return { title: null, author: null, language: null };
  const texts = (name: string): string[] =>
    descendants(metadata, name)
      .map((el) => collapsedText(el))
      .filter((t) => t !== '');
  const creators = descendants(metadata, 'creator');
  // EPUB 2 marks roles with opf:role; prefer authors ("aut") when roles are given.
  const authors = creators.filter((c) => (attr(c, 'role') ?? 'aut') === 'aut').map((c) => collapsedText(c)).filter((t) => t !== '');
  return {
    title: texts('title')[0] ?? null,
    author: authors.length > 0 ? authors.join(', ') : null,
    language: texts('language')[0] ?? null,
  };
}

function coverOf(items: ManifestItem[], metadata: Element | undefined, manifest: Map<string, ManifestItem>): ManifestItem | null {
  const epub3 = items.find((i) => i.properties.includes('cover-image'));
  if (epub3) return epub3;
  const meta = metadata ? descendants(metadata, 'meta').find((m) => m.attribs['name'] === 'cover') : undefined;
  const epub2 = meta?.attribs['content'] ? manifest.get(meta.attribs['content']) : undefined;
  return epub2 && epub2.mediaType.startsWith('image/') ? epub2 : null;
}

function guideTocOf(pkg: Element, path: string): string | null {
  const ref = descendants(pkg, 'reference').find((r) => r.attribs['type']?.toLowerCase() === 'toc' && r.attribs['href']);
  return ref ? resolveHref(path, ref.attribs['href']!).path : null;
}
