// Cutting a Markdown source into pages that parse on their own, so no single
// invocation runs micromark over a whole book (micromark reads ~0.5-1 MB/s).
// A page ends only before an unindented line that follows a blank line,
// outside fenced code: there every CommonMark block has ended, except a list
// or HTML block, which then reads as two (same text). The tree of each page
// still decides what everything is; these lines only decide where to cut.

import { documentError } from '../errors.ts';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/**
 * micromark slows down quadratically with emphasis and link delimiters in one
 * paragraph (10,000 "*a" take over 30 s) and with container nesting (20,000
 * ">" overflow the stack), so such documents are refused before parsing.
 * Prose has a few dozen of either.
 */
export const MAX_DELIMITERS_PER_PARAGRAPH = 500;
export const MAX_CONTAINER_DEPTH = 32;
const FOOTNOTE_DEFINITION = /^ {0,3}\[\^([^\]\s]+)\]:/;

export interface MarkdownPages {
  pages: string[];
  /**
   * Labels of all footnote definitions in the document: each page is parsed
   * with them defined, so a reference on one page to a note on another is
   * still recognized (and not read) rather than left as "[^1]".
   */
  footnoteLabels: string[];
}

/** Pages of about `targetChars` (longer only when no cut point comes sooner). */
export function markdownPages(markdown: string, targetChars = 32 * 1024): MarkdownPages {
  const lines = markdown.split('\n');
  const pages: string[] = [];
  const labels = new Set<string>();
  let fence: string | null = null;
  let pageStart = 0;
  let pageChars = 0;
  let previousBlank = false;
  let delimiters = 0;
  lines.forEach((line, i) => {
    delimiters = line.trim() === '' ? 0 : delimiters + delimiterCount(line);
    if (delimiters > MAX_DELIMITERS_PER_PARAGRAPH || containerDepth(line) > MAX_CONTAINER_DEPTH) {
      throw documentError('document_too_complex', `line ${i + 1} of the Markdown is too deeply nested or has too many emphasis/link marks in one paragraph`, {
        line: i + 1,
      });
    }
    const fenceMatch = FENCE.exec(line);
    if (fence === null) {
      const canCut = previousBlank && line !== '' && line[0] !== ' ' && line[0] !== '\t';
      if (canCut && pageChars >= targetChars) {
        pages.push(lines.slice(pageStart, i).join('\n'));
        pageStart = i;
        pageChars = 0;
      }
      const footnote = FOOTNOTE_DEFINITION.exec(line);
      if (footnote) labels.add(footnote[1]!);
      if (fenceMatch) fence = fenceMatch[1]![0]!.repeat(3);
    } else if (fenceMatch && fenceMatch[1]!.startsWith(fence)) fence = null;
    pageChars += line.length + 1;
    previousBlank = line.trim() === '';
  });
  pages.push(lines.slice(pageStart).join('\n'));
  return { pages, footnoteLabels: [...labels] };
}

/** Emphasis and link delimiters on a line (`*`, `_`, `[`, `]`). */
function delimiterCount(line: string): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 42 || c === 95 || c === 91 || c === 93) count++;
  }
  return count;
}

/** How many block quote and list markers open a line ("> > - 1. text" is 4). */
function containerDepth(line: string): number {
  let depth = 0;
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    const c = line[i];
    if (c === '>') i++;
    else if ((c === '-' || c === '*' || c === '+') && (line[i + 1] === ' ' || line[i + 1] === '\t')) i += 2;
    else {
      let j = i;
      while (j < line.length && j - i < 9 && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
      if (j === i || (line[j] !== '.' && line[j] !== ')') || (line[j + 1] !== ' ' && line[j + 1] !== '\t')) return depth;
      i = j + 2;
    }
    depth++;
  }
}
