// The readable text of Markdown nodes: paragraphs, headings, list items and
// quotes are read; code blocks, images, footnote references and footnote
// definitions, link definitions and raw HTML comments are not. Inline raw HTML
// is dropped; a raw HTML block is read through the HTML reader's rules.

import type { PhrasingContent, RootContent } from 'mdast';
import { segmentsOf } from '../html/paragraphs.ts';
import { noteElements } from '../html/skip.ts';
import { parseHtml } from '../xml/tree.ts';

/** One line of text from inline content. */
export function phrasingText(nodes: readonly PhrasingContent[]): string {
  const parts: string[] = [];
  const visit = (node: PhrasingContent): void => {
    switch (node.type) {
      case 'text':
      case 'inlineCode':
        parts.push(node.value);
        return;
      case 'break':
        parts.push(' ');
        return;
      case 'image':
      case 'imageReference':
      case 'footnoteReference':
      case 'html':
        return;
      default:
        if ('children' in node) node.children.forEach(visit);
    }
  };
  nodes.forEach(visit);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** The paragraphs a block node reads as, in order. */
export function blockParagraphs(node: RootContent): string[] {
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return nonEmpty([phrasingText(node.children)]);
    case 'blockquote':
    case 'list':
    case 'listItem':
      return node.children.flatMap(blockParagraphs);
    case 'table':
      return nonEmpty(node.children.map((row) => row.children.map((cell) => phrasingText(cell.children)).filter((c) => c !== '').join(', ')));
    case 'html': {
      const doc = parseHtml(node.value);
      return nonEmpty(segmentsOf(doc, { dropped: noteElements(doc) }).flatMap((s) => s.text.split('\n\n')));
    }
    default:
      // code, thematicBreak, definition, footnoteDefinition, yaml: not read.
      return [];
  }
}

function nonEmpty(paragraphs: string[]): string[] {
  return paragraphs.filter((p) => p !== '');
}
