// The book model every document format is read into: metadata, an optional
// cover, and chapters of plain text (paragraphs separated by a blank line).

export interface BookMetadata {
  title: string | null;
  author: string | null;
  language: string | null;
}

export interface BookCover {
  mimeType: string;
  bytes: Uint8Array;
}

export interface BookChapter {
  title: string;
  /** Normalized plain text (src/core/text normalizeText): paragraphs joined by "\n\n". */
  text: string;
}

export interface Book {
  metadata: BookMetadata;
  cover: BookCover | null;
  chapters: BookChapter[];
}

/** The formats Lector reads documents in. */
export type DocumentFormat = 'epub' | 'markdown' | 'html' | 'text';
