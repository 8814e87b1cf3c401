// A job's book rows: metadata (title, author, cover, audio format), its
// chapters and which source page belongs to which chapter, and the cursor over
// an EPUB's sections still to read. Beside JobStore, in the same SQLite.
import type { ChunkAudioFormat, JobChapter } from '../../../core/api/types.ts';

export const BOOK_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS book_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  title TEXT,
  author TEXT,
  audio_format TEXT NOT NULL,
  assemble INTEGER NOT NULL DEFAULT 1,
  epub_key TEXT,
  sections_total INTEGER NOT NULL DEFAULT 0,
  sections_read INTEGER NOT NULL DEFAULT 0,
  selection TEXT,
  cover_key TEXT,
  cover_mime TEXT,
  cover_bytes INTEGER
);
CREATE TABLE IF NOT EXISTS chapter (
  idx INTEGER PRIMARY KEY,
  ord INTEGER NOT NULL,
  title TEXT NOT NULL,
  first_chunk INTEGER,
  chunk_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS page_chapter (
  page INTEGER PRIMARY KEY,
  chapter INTEGER NOT NULL
);
`;

export interface BookMetaRow {
  title: string | null;
  author: string | null;
  audio_format: ChunkAudioFormat;
  assemble: number;
  epub_key: string | null;
  sections_total: number;
  sections_read: number;
  selection: string | null;
  cover_key: string | null;
  cover_mime: string | null;
  cover_bytes: number | null;
}

export interface NewBook {
  title: string | null;
  author: string | null;
  audioFormat: ChunkAudioFormat;
  assemble?: boolean;
  /** An EPUB in R2 whose sections the alarms read one at a time. */
  epubKey?: string;
  sectionsTotal?: number;
  /** Selected chapter indexes (1-based), or null for all. */
  selection?: number[] | null;
  cover?: { key: string; mimeType: string; bytes: number } | null;
  chapters: { index: number; title: string }[];
}

type SqlValue = string | number | null;

export class BookStore {
  private readonly sql: SqlStorage;
  /** Whether the book tables exist (undefined: not looked yet). A plain job has none, and a query that throws costs far more than a look. */
  private tables: boolean | undefined;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** Creates the book tables and rows; called once, with the job's creation. */
  create(book: NewBook): void {
    this.sql.exec(BOOK_SCHEMA_SQL);
    this.tables = true;
    this.sql.exec(
      `INSERT INTO book_meta (id, title, author, audio_format, assemble, epub_key, sections_total, selection, cover_key, cover_mime, cover_bytes)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      book.title, book.author, book.audioFormat, book.assemble === false ? 0 : 1, book.epubKey ?? null, book.sectionsTotal ?? 0,
      book.selection ? JSON.stringify(book.selection) : null, book.cover?.key ?? null, book.cover?.mimeType ?? null, book.cover?.bytes ?? null,
    );
    book.chapters.forEach((c, ord) => this.sql.exec('INSERT INTO chapter (idx, ord, title) VALUES (?, ?, ?)', c.index, ord, c.title));
  }

  private rows<T>(query: string, ...params: SqlValue[]): T[] {
    return this.sql.exec(query, ...params).toArray() as unknown as T[];
  }

  private hasTables(): boolean {
    this.tables ??= this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_meta'`).toArray().length > 0;
    return this.tables;
  }

  /** The book rows, or null for a job created before books (or none at all). */
  meta(): BookMetaRow | null {
    // Asked once per chunk dispatched (its audio format).
    if (!this.hasTables()) return null; // a job without book rows
    try {
      return this.rows<BookMetaRow>('SELECT * FROM book_meta WHERE id = 1')[0] ?? null;
    } catch {
      this.tables = undefined; // wiped (the job was deleted): look again next time
      return null;
    }
  }

  selection(): Set<number> | null {
    const s = this.meta()?.selection;
    return s ? new Set(JSON.parse(s) as number[]) : null;
  }

  /** The next EPUB section to read, or null when all are read (or the job is not an EPUB). */
  nextSection(): { key: string; n: number } | null {
    const m = this.meta();
    if (!m?.epub_key || m.sections_read >= m.sections_total) return null;
    return { key: m.epub_key, n: m.sections_read };
  }

  sectionRead(n: number): void {
    this.sql.exec('UPDATE book_meta SET sections_read = ? WHERE id = 1 AND sections_read = ?', n + 1, n);
  }

  /** No section will be read any more (the book could not be read). */
  abandonSections(): void {
    this.sql.exec('UPDATE book_meta SET sections_read = sections_total WHERE id = 1');
  }

  /** Records that source page `page` belongs to `chapter`. */
  mapPage(page: number, chapter: number): void {
    this.sql.exec('INSERT OR REPLACE INTO page_chapter (page, chapter) VALUES (?, ?)', page, chapter);
  }

  chapterOfPage(page: number): number | null {
    // Asked once per page split: a plain job has no table to ask.
    if (!this.hasTables()) return null;
    try {
      return this.rows<{ chapter: number }>('SELECT chapter FROM page_chapter WHERE page = ?', page)[0]?.chapter ?? null;
    } catch {
      this.tables = undefined; // wiped (the job was deleted): look again next time
      return null;
    }
  }

  /** Chunks `[first, first + count)` were appended to `chapter`. */
  extendChapter(chapter: number, first: number, count: number): void {
    if (count <= 0) return;
    this.sql.exec(
      'UPDATE chapter SET first_chunk = COALESCE(first_chunk, ?), chunk_count = chunk_count + ? WHERE idx = ?',
      first, count, chapter,
    );
  }

  /** Chapters in play order, with chunks; durations are filled in by the caller. */
  chapters(): Omit<JobChapter, 'durationMs'>[] {
    try {
      return this.rows<{ idx: number; title: string; first_chunk: number | null; chunk_count: number }>(
        'SELECT idx, title, first_chunk, chunk_count FROM chapter WHERE chunk_count > 0 ORDER BY ord',
      ).map((r) => ({ index: r.idx, title: r.title, firstChunk: r.first_chunk ?? 0, chunkCount: r.chunk_count }));
    } catch {
      return [];
    }
  }

  /** The chapter a chunk belongs to, or null. */
  chapterOfChunk(index: number): number | null {
    try {
      return this.rows<{ idx: number }>('SELECT idx FROM chapter WHERE first_chunk <= ? AND first_chunk + chunk_count > ?', index, index)[0]?.idx ?? null;
    } catch {
      return null;
    }
  }
}
