// Cutting a Markdown source into pages that parse on their own, so no single
// invocation runs micromark over a whole book (micromark reads ~0.5-1 MB/s).
// A page ends only before an unindented line that follows a blank line,
// outside fenced code: there every CommonMark block has ended, except a list
// or HTML block, which then reads as two (same text). The tree of each page
// still decides what everything is; these lines only decide where to cut.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
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
  lines.forEach((line, i) => {
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
