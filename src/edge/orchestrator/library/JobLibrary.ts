// One owner's shelf of jobs: a row per job they made (title, size, dates) and
// the listening position they saved for it. One object per owner (an API key,
// or in open mode one browser's `lector_client` cookie), so listing and saving
// a position never touch another owner's rows.
import { DurableObject } from 'cloudflare:workers';
import type { SavedPosition } from '../../../core/api/library.ts';

export interface LibraryEntry {
  jobId: string;
  title: string;
  voiceId: string;
  totalChunks: number;
  characters: number;
  createdAt: number;
  expiresAt: number;
  /** Total length of the finished job's audio with its pauses; null until known. */
  durationMs: number | null;
  position: SavedPosition | null;
}

/** The last entry of a page: the next page starts after it. */
export interface LibraryCursor {
  createdAt: number;
  jobId: string;
}

export interface LibraryPage {
  entries: LibraryEntry[];
  /** More entries follow the last one. */
  more: boolean;
}

interface Row extends Record<string, SqlStorageValue> {
  job_id: string;
  title: string;
  voice_id: string;
  total_chunks: number;
  characters: number;
  created_at: number;
  expires_at: number;
  duration_ms: number | null;
  pos_index: number | null;
  pos_offset_ms: number | null;
  pos_finished: number | null;
  pos_saved_at: number | null;
}

/** Rows kept per owner; the oldest go first (a job outlives its TTL nowhere anyway). */
const MAX_ROWS = 1000;

export class JobLibrary extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS library_job (
      job_id TEXT PRIMARY KEY, title TEXT NOT NULL, voice_id TEXT NOT NULL,
      total_chunks INTEGER NOT NULL, characters INTEGER NOT NULL,
      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, duration_ms INTEGER,
      pos_index INTEGER, pos_offset_ms INTEGER, pos_finished INTEGER, pos_saved_at INTEGER)`);
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS library_job_created ON library_job (created_at, job_id)');
  }

  async add(e: Omit<LibraryEntry, 'durationMs' | 'position'>): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec(
      `INSERT OR REPLACE INTO library_job (job_id, title, voice_id, total_chunks, characters, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      e.jobId, e.title, e.voiceId, e.totalChunks, e.characters, e.createdAt, e.expiresAt,
    );
    sql.exec(
      `DELETE FROM library_job WHERE job_id IN (SELECT job_id FROM library_job ORDER BY created_at DESC, job_id DESC LIMIT -1 OFFSET ?)`,
      MAX_ROWS,
    );
  }

  async remove(jobId: string): Promise<boolean> {
    return this.ctx.storage.sql.exec('DELETE FROM library_job WHERE job_id = ?', jobId).rowsWritten > 0;
  }

  async has(jobId: string): Promise<boolean> {
    return this.ctx.storage.sql.exec('SELECT 1 FROM library_job WHERE job_id = ?', jobId).toArray().length > 0;
  }

  /** Newest first; `cursor` is the last entry of the previous page. Drops expired rows on the way. */
  async list(after: LibraryCursor | null, limit: number): Promise<LibraryPage> {
    const sql = this.ctx.storage.sql;
    sql.exec('DELETE FROM library_job WHERE expires_at < ?', Date.now());
    const rows = after
      ? sql.exec<Row>(
          `SELECT * FROM library_job WHERE created_at < ? OR (created_at = ? AND job_id < ?)
           ORDER BY created_at DESC, job_id DESC LIMIT ?`,
          after.createdAt, after.createdAt, after.jobId, limit + 1,
        ).toArray()
      : sql.exec<Row>('SELECT * FROM library_job ORDER BY created_at DESC, job_id DESC LIMIT ?', limit + 1).toArray();
    return { entries: rows.slice(0, limit).map(toEntry), more: rows.length > limit };
  }

  async setDuration(jobId: string, durationMs: number): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE library_job SET duration_ms = ? WHERE job_id = ?', Math.round(durationMs), jobId);
  }

  /** Saves a position; false when the job is not on this owner's shelf. An older save never overwrites a newer one. */
  async setPosition(jobId: string, p: SavedPosition): Promise<boolean> {
    const res = this.ctx.storage.sql.exec(
      `UPDATE library_job SET pos_index = ?, pos_offset_ms = ?, pos_finished = ?, pos_saved_at = ?
       WHERE job_id = ? AND (pos_saved_at IS NULL OR pos_saved_at <= ?)`,
      p.index, Math.round(p.offsetMs), p.finished ? 1 : 0, p.savedAt, jobId, p.savedAt,
    );
    return res.rowsWritten > 0 || (await this.has(jobId));
  }

  /** The entry of one job, or null when it is not on this owner's shelf. */
  async entry(jobId: string): Promise<LibraryEntry | null> {
    const row = this.ctx.storage.sql.exec<Row>('SELECT * FROM library_job WHERE job_id = ?', jobId).toArray()[0];
    return row ? toEntry(row) : null;
  }
}

function toEntry(r: Row): LibraryEntry {
  const position =
    r.pos_index === null || r.pos_saved_at === null
      ? null
      : { index: r.pos_index, offsetMs: r.pos_offset_ms ?? 0, finished: r.pos_finished === 1, savedAt: r.pos_saved_at };
  return {
    jobId: r.job_id,
    title: r.title,
    voiceId: r.voice_id,
    totalChunks: r.total_chunks,
    characters: r.characters,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    durationMs: r.duration_ms,
    position,
  };
}
