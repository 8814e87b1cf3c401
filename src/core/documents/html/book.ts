// An HTML document as a book: chapters at the top-level headings, metadata
// from <title>, <meta name="author"> and <html lang>.

import { type Document, type Element, isTag } from 'domhandler';
import type { Book } from '../book.ts';
import { chapterLevelOf } from '../headings.ts';
import { chaptersFromSegments } from '../chapters.ts';
import { documentError } from '../errors.ts';
import { attr, collapsedText, descendants, parseHtml } from '../xml/tree.ts';
import { lineOf, segmentsOf } from './paragraphs.ts';
import { isSkippedElement, noteElements } from './skip.ts';

const HEADING = /^h([1-6])$/;

/** Reads an HTML document (already decoded) into a book; `document_empty` when nothing is readable. */
export function parseHtmlBook(html: string): Book {
  const doc = parseHtml(html);
  const dropped = noteElements(doc);
  const headings = readableHeadings(doc, dropped);
  const plan = chapterLevelOf(headings.map((h) => Number(h.name[1])));
  const titleHeading = plan?.firstIsTitle ? headings[0] : undefined;
  const starts = new Set(headings.filter((h) => h !== titleHeading && Number(h.name[1]) === plan?.level));
  const segments = segmentsOf<string>(doc, { dropped, boundary: (el) => (starts.has(el) ? lineOf(el, dropped) || 'Untitled' : undefined) });
  const titleElement = descendants(doc, 'title')[0];
  const title = (titleElement && collapsedText(titleElement)) || (titleHeading && lineOf(titleHeading, dropped)) || null;
  const metadata = { title, author: metaContent(doc, ['author', 'dc.creator', 'dcterms.creator']), language: languageOf(doc) };
  const chapters = chaptersFromSegments(segments.map((s) => ({ title: s.start, text: s.text })), title ?? 'Text');
  if (chapters.length === 0) throw documentError('document_empty', 'the HTML document has no text to read');
  return { metadata, cover: null, chapters };
}

/** Heading elements that are read (not inside something skipped), in document order. */
function readableHeadings(doc: Document, dropped: Set<Element>): Element[] {
  const found: Element[] = [];
  const visit = (el: Element): void => {
    if (dropped.has(el) || isSkippedElement(el)) return;
    if (HEADING.test(el.name)) {
      if (lineOf(el, dropped) !== '') found.push(el);
      return;
    }
    el.children.forEach((c) => isTag(c) && visit(c));
  };
  doc.children.forEach((c) => isTag(c) && visit(c));
  return found;
}

function metaContent(doc: Document, names: string[]): string | null {
  for (const meta of descendants(doc, 'meta')) {
    const name = meta.attribs['name']?.toLowerCase();
    const content = meta.attribs['content']?.trim();
    if (name && names.includes(name) && content) return content;
  }
  return null;
}

function languageOf(doc: Document): string | null {
  const html = descendants(doc, 'html')[0];
  return (html && (html.attribs['lang'] ?? attr(html, 'xml:lang'))?.trim()) || null;
}
