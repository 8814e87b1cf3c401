// Which heading level cuts a Markdown or HTML book into chapters: the highest
// level present, except that a lone first heading above several headings of
// the next level is the book's title ("# Title" then "## Chapter" per chapter).

export interface ChapterLevel {
  /** Headings of this level (1-6) start chapters. */
  level: number;
  /** True when the first heading is the book's title, not a chapter. */
  firstIsTitle: boolean;
}

/** `levels` are the levels of the document's headings in order; null when there are none. */
export function chapterLevelOf(levels: readonly number[]): ChapterLevel | null {
  if (levels.length === 0) return null;
  const top = Math.min(...levels);
  const atTop = levels.filter((l) => l === top).length;
  const below = levels.filter((l) => l > top);
  if (atTop === 1 && levels[0] === top && below.length > 0) {
    const next = Math.min(...below);
    if (below.filter((l) => l === next).length >= 2) return { level: next, firstIsTitle: true };
  }
  return { level: top, firstIsTitle: false };
}
