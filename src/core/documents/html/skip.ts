// What in an HTML/XHTML document is not read aloud: scripts and styles, the
// table of contents, images, footnote reference markers and footnote bodies,
// page-number markers. Decided from the tree (element names, epub:type, ARIA
// roles, the classes Project Gutenberg and Markdown converters use, and where
// note links point), never from the markup's text.

import { type Document, type Element, isTag, type AnyNode } from 'domhandler';
import { attr, collapsedText, tokens } from '../xml/tree.ts';

const SKIPPED_TAGS = new Set([
  'head', 'title', 'script', 'style', 'noscript', 'template', 'nav', 'img', 'svg', 'math', 'picture',
  'audio', 'video', 'iframe', 'object', 'embed', 'canvas', 'map', 'button', 'input', 'select', 'textarea',
  'rt', 'rp',
]);
const SKIPPED_EPUB_TYPES = new Set([
  'noteref', 'annoref', 'pagebreak', 'page-list', 'toc', 'landmarks', 'footnote', 'footnotes', 'endnote', 'endnotes',
  'rearnote', 'rearnotes', 'note', 'backlink',
]);
const SKIPPED_ROLES = new Set([
  'doc-noteref', 'doc-pagebreak', 'doc-pagelist', 'doc-toc', 'doc-footnote', 'doc-endnote', 'doc-endnotes', 'doc-backlink',
]);
// Gutenberg: span.pagenum (page numbers), a.fnanchor (note markers), div.footnote;
// markdown-it and pandoc: sup.footnote-ref, section.footnotes, a.footnote-backref.
const SKIPPED_CLASSES = new Set(['pagenum', 'pageno', 'page-number', 'fnanchor', 'footnote-ref', 'footnote', 'footnotes', 'footnote-backref']);
/** Containers a footnote body found through its id is dropped with. */
const NOTE_CONTAINERS = new Set(['p', 'li', 'aside', 'dd', 'dt', 'div', 'td']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** The text of a note marker: 1, [12], (3), *, †, a. */
const NOTE_MARKER = /^[[(]?(?:\d{1,4}|[*†‡§¶]{1,3}|[a-z])[\])]?$/i;

/** True when the element itself says it is not to be read. */
export function isSkippedElement(el: Element): boolean {
  if (SKIPPED_TAGS.has(el.name)) return true;
  if (el.attribs['hidden'] !== undefined) return true;
  if (tokens(attr(el, 'epub:type')).some((t) => SKIPPED_EPUB_TYPES.has(t))) return true;
  if (tokens(el.attribs['role']).some((t) => SKIPPED_ROLES.has(t))) return true;
  return tokens(el.attribs['class']).some((t) => SKIPPED_CLASSES.has(t));
}

/**
 * Elements to drop that only the whole document reveals: links that are note
 * markers (a short link to a fragment such as <sup><a href="#fn1">1</a></sup>)
 * and, in the same document, the note bodies they point to.
 */
export function noteElements(doc: Document): Set<Element> {
  const byId = new Map<string, Element>();
  const markers: Element[] = [];
  const stack: AnyNode[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isTag(node)) {
      if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
      continue;
    }
    const id = node.attribs['id'];
    if (id !== undefined) byId.set(id, node);
    const href = node.attribs['href'];
    // A marker may point into this file (#fn1) or to a notes file (notes.xhtml#n1).
    if (node.name === 'a' && href?.includes('#') && isNoteMarker(node)) markers.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  const dropped = new Set<Element>();
  for (const marker of markers) {
    const parent = marker.parent;
    // <sup><a>1</a></sup>: the whole superscript goes, not just the link.
    dropped.add(parent && isTag(parent) && parent.name === 'sup' && collapsedText(parent) === collapsedText(marker) ? parent : marker);
    const href = marker.attribs['href']!;
    const target = href.startsWith('#') ? byId.get(href.slice(1)) : undefined;
    // A target that is itself a marker is the back-link pair of a note, not its body.
    if (target && !NOTE_MARKER.test(collapsedText(target))) {
      const container = noteContainer(target);
      if (container) dropped.add(container);
    }
  }
  return dropped;
}

/** A short in-document link that looks like a note marker: superscript, or "[1]". */
function isNoteMarker(a: Element): boolean {
  const text = collapsedText(a);
  if (!NOTE_MARKER.test(text)) return false;
  const parent = a.parent;
  const inSup = parent !== null && isTag(parent) && parent.name === 'sup';
  const hasSup = a.children.some((c) => isTag(c) && c.name === 'sup');
  return inSup || hasSup || text.startsWith('[');
}

/** The block holding a note body; never one that holds a heading (that would be a chapter). */
function noteContainer(target: Element): Element | null {
  let el: Element = target;
  while (!NOTE_CONTAINERS.has(el.name)) {
    const parent = el.parent;
    if (!parent || !isTag(parent) || parent.name === 'body') return null;
    el = parent;
  }
  return containsHeading(el) ? null : el;
}

function containsHeading(el: Element): boolean {
  if (HEADINGS.has(el.name)) return true;
  return el.children.some((c) => isTag(c) && containsHeading(c));
}
