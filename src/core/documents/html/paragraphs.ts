// Turns an HTML/XHTML tree into the paragraphs that are read aloud, cut into
// segments where the caller says a chapter starts (a heading, or the element
// a table-of-contents entry points to).

import { type AnyNode, type Element, isTag, isText } from 'domhandler';
import { normalizeText } from '../../text/index.ts';
import { isSkippedElement } from './skip.ts';

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'li',
  'main', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);

export interface Segment<T> {
  /** What the boundary callback returned for the element this segment starts at; null before the first. */
  start: T | null;
  /** Normalized text of the segment (paragraphs joined by a blank line); may be empty. */
  text: string;
}

export interface SegmentOptions<T> {
  /** Elements found to be notes or note markers (html/skip.ts noteElements). */
  dropped?: Set<Element>;
  /** Called for every element read; a value starts a new segment at that element. */
  boundary?: (el: Element) => T | undefined;
}

/** The readable text under `root`, cut into segments at the boundaries. */
export function segmentsOf<T>(root: AnyNode, options: SegmentOptions<T> = {}): Segment<T>[] {
  const dropped = options.dropped ?? new Set<Element>();
  const segments: { start: T | null; paragraphs: string[] }[] = [{ start: null, paragraphs: [] }];
  let line: string[] = [];
  const flush = (): void => {
    if (line.length === 0) return;
    const paragraph = line.join('').replace(/\s+/g, ' ').trim();
    line = [];
    if (paragraph !== '') segments[segments.length - 1]!.paragraphs.push(paragraph);
  };
  const visit = (node: AnyNode): void => {
    if (isText(node)) {
      line.push(node.data);
      return;
    }
    if (!isTag(node)) {
      // The document root and CDATA sections hold text; comments and directives do not.
      if ('children' in node) node.children.forEach(visit);
      return;
    }
    if (dropped.has(node) || isSkippedElement(node)) return;
    const start = options.boundary?.(node);
    if (start !== undefined) {
      flush();
      segments.push({ start, paragraphs: [] });
    }
    if (node.name === 'br') {
      line.push(' ');
      return;
    }
    const block = BLOCKS.has(node.name);
    if (block) flush();
    node.children.forEach(visit);
    if (block) flush();
  };
  visit(root);
  flush();
  return segments
    .filter((s, i) => i > 0 || s.paragraphs.length > 0)
    .map((s) => ({ start: s.start, text: normalizeText(s.paragraphs.join('\n\n')) }));
}

/** The readable text of one element on one line (a heading, a title). */
export function lineOf(el: AnyNode, dropped?: Set<Element>): string {
  return segmentsOf(el, { dropped })
    .map((s) => s.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}
