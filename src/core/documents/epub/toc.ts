// The table of contents: EPUB 3 nav (epub:type="toc") or EPUB 2 NCX
// navPoints, flattened in reading order (nested entries are chapters too).

import { type Element, isTag } from 'domhandler';
import { resolveHref } from '../paths.ts';
import { attr, childElements, collapsedText, descendants, parseHtml, parseXml, tokens } from '../xml/tree.ts';

export interface TocEntry {
  title: string;
  /** Archive path of the file the entry points to. */
  path: string;
  /** Element id inside that file, or null for its start. */
  fragment: string | null;
}

/** Entries of an EPUB 3 navigation document at `path`. */
export function navEntries(xhtml: string, path: string): TocEntry[] {
  const doc = parseHtml(xhtml);
  const navs = descendants(doc, 'nav');
  const toc =
    navs.find((n) => tokens(attr(n, 'epub:type')).includes('toc') || tokens(n.attribs['role']).includes('doc-toc')) ?? navs[0];
  if (!toc) return [];
  const entries: TocEntry[] = [];
  const visitList = (list: Element): void => {
    for (const li of childElements(list, 'li')) {
      const link = li.children.find((c): c is Element => isTag(c) && (c.name === 'a' || c.name === 'span'));
      const href = link?.attribs['href'];
      if (link && href) entries.push({ title: collapsedText(link), ...resolveHref(path, href) });
      for (const sub of childElements(li, 'ol')) visitList(sub);
    }
  };
  for (const list of childElements(toc, 'ol')) visitList(list);
  return entries;
}

/** Entries of an EPUB 2 NCX at `path`. */
export function ncxEntries(xml: string, path: string): TocEntry[] {
  const doc = parseXml(xml, path);
  const navMap = descendants(doc, 'navmap')[0];
  if (!navMap) return [];
  const entries: TocEntry[] = [];
  const visit = (point: Element): void => {
    const label = descendants(childElements(point, 'navlabel')[0] ?? point, 'text')[0];
    const src = childElements(point, 'content')[0]?.attribs['src'];
    if (src) entries.push({ title: label ? collapsedText(label) : '', ...resolveHref(path, src) });
    for (const child of childElements(point, 'navpoint')) visit(child);
  };
  for (const point of childElements(navMap, 'navpoint')) visit(point);
  return entries;
}
