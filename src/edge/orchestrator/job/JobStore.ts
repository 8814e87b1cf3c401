// Synchronous SQL access to one job's rows. Every method runs without an
// `await`, so each one commits atomically in the Durable Object's output gate.
import type { ChunkInfo, ChunkStatus, JobState, JobStatus, WordTiming } from '../../../core/api/types.ts';
import { SCHEMA_SQL } from './schema.ts';
import type { ChunkLease, ChunkRow, Completion, JobRow, NewChunk, NewJob, SourcePage } from './rows.ts';

export type { ChunkLease, ChunkRow, Completion, JobRow, NewChunk, NewJob, SourcePage } from './rows.ts';

type SqlValue = string | number | null;
type Row = Record<string, SqlValue>;

export class JobStore {
  private readonly sql: SqlStorage;
  private readonly storage: DurableObjectStorage;
  /** Rows written since construction: the benchmark reports it. */
  rowsWritten = 0;

  /** Whether the tables exist (undefined: not looked yet). Only a created job has tables. */
  private ready: boolean | undefined;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  /**
   * True when this object holds a job's tables. Reading never creates them: an id
   * nobody created (a typo, another key's job) stays an object with nothing stored.
   */
  exists(): boolean {
    if (this.ready === undefined) {
      this.ready = this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job'`).toArray().length > 0;
      if (this.ready) this.migrate();
    }
    return this.ready;
  }

  /** The storage was wiped (deleteAll): nothing exists until the next createJob. */
  forget(): void {
    this.ready = false;
  }

  /** Creates the tables; only createJob calls it. */
  private ensureSchema(): void {
    this.sql.exec(SCHEMA_SQL);
    this.migrate();
    this.ready = true;
  }

  /** Columns added after the first schema: add them to older databases. */
  private migrate(): void {
    const added: [string, string, string][] = [
      ['job', 'owner_key', 'TEXT'],
      ['job', 'pages', 'INTEGER NOT NULL DEFAULT 1'],
      ['job', 'split_page', 'INTEGER NOT NULL DEFAULT 1'],
      ['job', 'max_tokens', 'INTEGER'],
      ['job', 'timeout_override_ms', 'INTEGER'],
      ['job', 'max_chars', 'INTEGER'],
      ['chunk', 'lease_token', 'INTEGER NOT NULL DEFAULT 0'],
      ['job', 'speed', 'REAL NOT NULL DEFAULT 1'],
      ['job', 'lexicon', 'TEXT'],
      ['job', 'input_format', 'TEXT'],
      ['chunk', 'speak', 'TEXT'],
      ['chunk', 'pause_before_ms', 'INTEGER'],
      ['chunk', 'speed', 'REAL'],
      ['job', 'grow_chars', 'INTEGER'],
      ['job', 'input_open', 'INTEGER NOT NULL DEFAULT 0'],
    ];
    for (const table of ['job', 'chunk']) {
      const cols = new Set(this.sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().map((r) => r.name));
      for (const [t, name, type] of added) if (t === table && !cols.has(name)) this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
    }
  }

  private exec(query: string, ...params: SqlValue[]): Row[] {
    const cursor = this.sql.exec<Row>(query, ...params);
    const rows = cursor.toArray();
    this.rowsWritten += cursor.rowsWritten;
    return rows;
  }

  job(): JobRow | null {
    if (!this.exists()) return null;
    const rows = this.exec('SELECT * FROM job WHERE id = 1');
    return (rows[0] as unknown as JobRow | undefined) ?? null;
  }

  /** Creates the job with the chunks of its first page; later pages wait in `source_page`. */
  createJob(job: NewJob, chunks: NewChunk[], laterPages: readonly { text: string; continuesParagraph: boolean }[] = []): void {
    this.storage.transactionSync(() => {
      this.ensureSchema();
      this.exec(
        `INSERT INTO job (id, job_id, status, voice_id, model, splitting, total, text_chars, overall_timeout_ms,
           concurrency, max_attempts, created_at, updated_at, expires_at, owner_key, pages, split_page, max_tokens, timeout_override_ms, max_chars,
           speed, lexicon, input_format, grow_chars)
         VALUES (1, ?, 'initialized', ?, ?, ?, 0, ?, 0, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
        job.jobId, job.voiceId, job.model, job.splitting, job.textChars,
        job.concurrency, job.maxAttempts, job.now, job.now, job.expiresAt, job.ownerKeyId, 1 + laterPages.length, job.maxTokens, job.timeoutOverrideMs, job.maxChars,
        job.speed ?? 1, job.lexicon ?? null, job.inputFormat ?? null, job.growChars ?? null,
      );
      laterPages.forEach((p, i) => {
        this.exec('INSERT INTO source_page (page, text, continues_paragraph) VALUES (?, ?, ?)', i + 1, p.text, p.continuesParagraph ? 1 : 0);
      });
      this.appendChunksInTransaction(chunks, job.now);
    });
  }

  /** Adds pages to split after the ones already known (an EPUB section just read); returns their page numbers. */
  addPages(pages: readonly { text: string; continuesParagraph: boolean }[]): number[] {
    if (pages.length === 0) return [];
    const first = this.job()!.pages;
    this.storage.transactionSync(() => {
      pages.forEach((p, i) => {
        this.exec('INSERT INTO source_page (page, text, continues_paragraph) VALUES (?, ?, ?)', first + i, p.text, p.continuesParagraph ? 1 : 0);
      });
      this.exec('UPDATE job SET pages = pages + ? WHERE id = 1', pages.length);
    });
    return pages.map((_, i) => first + i);
  }

  /** Whether a page still waits to be split, without reading it: pages split_page to pages - 1 are stored. */
  hasPageToSplit(): boolean {
    const j = this.job();
    return j !== null && j.split_page < j.pages;
  }

  /** The next page still to split, or null when splitting is done. */
  nextPage(): SourcePage | null {
    const j = this.job();
    if (!j || j.split_page >= j.pages) return null;
    const r = this.exec('SELECT page, text, continues_paragraph FROM source_page WHERE page = ?', j.split_page)[0];
    if (!r) return null;
    return { page: r.page as number, text: r.text as string, continuesParagraph: r.continues_paragraph === 1 };
  }

  /**
   * Stores a split page's chunks after the `start` already there (the job row's `total`, which
   * the caller has just read), and drops the page.
   */
  appendPage(page: number, chunks: NewChunk[], start: number, now: number): void {
    this.storage.transactionSync(() => {
      this.appendChunksInTransaction(chunks, now, start);
      this.exec('DELETE FROM source_page WHERE page = ?', page);
      this.exec('UPDATE job SET split_page = ? WHERE id = 1', page + 1);
    });
  }

  private appendChunksInTransaction(chunks: NewChunk[], now: number, start = this.job()!.total): void {
    let overall = 0;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      overall = Math.max(overall, c.timeoutMs);
      this.exec(
        'INSERT INTO chunk (idx, text, char_count, paragraph_start, timeout_ms, speak, pause_before_ms, speed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        start + i, c.text, c.charCount, c.paragraphStart ? 1 : 0, c.timeoutMs, c.speak ?? null, c.pauseBeforeMs ?? null, c.speed ?? null,
      );
    }
    this.exec('UPDATE job SET total = total + ?, overall_timeout_ms = MAX(overall_timeout_ms, ?), updated_at = ? WHERE id = 1', chunks.length, overall, now);
  }

  /**
   * Leases up to `limit` chunks: pending ones whose backoff has passed, and
   * processing ones whose lease expired. Lowest index first.
   */
  lease(limit: number, now: number, graceMs = 0): ChunkLease[] {
    if (limit <= 0) return [];
    const rows = this.exec(
      `SELECT idx, text, speak, speed, attempts, timeout_ms, lease_token FROM chunk
       WHERE status IN ('pending', 'processing')
         AND ((status = 'pending' AND not_before <= ?) OR (status = 'processing' AND lease_expires_at <= ?))
       ORDER BY idx LIMIT ?`,
      now, now, limit,
    );
    const leases: ChunkLease[] = [];
    for (const r of rows) {
      const idx = r.idx as number;
      const timeoutMs = r.timeout_ms as number;
      this.exec(
        `UPDATE chunk SET status = 'processing', attempts = attempts + 1, lease_token = lease_token + 1, lease_expires_at = ? WHERE idx = ?`,
        now + timeoutMs + graceMs, idx,
      );
      const lease: ChunkLease = { index: idx, text: (r.speak ?? r.text) as string, attempt: (r.attempts as number) + 1, timeoutMs, token: (r.lease_token as number) + 1 };
      if (typeof r.speed === 'number' && r.speed !== 1) lease.speed = r.speed;
      if (typeof r.speak === 'string') lease.shown = r.text as string;
      leases.push(lease);
    }
    if (leases.length > 0) {
      const high = leases[leases.length - 1]!.index + 1;
      this.exec(
        `UPDATE job SET status = CASE WHEN status = 'initialized' THEN 'processing' ELSE status END,
           current_index = MAX(current_index, ?), updated_at = ? WHERE id = 1`,
        high, now,
      );
    }
    return leases;
  }

  /**
   * The lease's clock starts when its call starts (routing may take a while after the lease):
   * the lease outlives the call's own timeout by `graceMs`, so it is never handed out twice
   * while this instance still waits for the answer.
   */
  startCall(index: number, token: number, timeoutMs: number, graceMs: number, now: number): void {
    this.exec(`UPDATE chunk SET lease_expires_at = ? WHERE idx = ? AND status = 'processing' AND lease_token = ?`, now + timeoutMs + graceMs, index, token);
  }

  /**
   * Marks a chunk completed once; a second mark changes nothing. Returns false if it was already
   * completed, or if `token` is given and a newer lease of the chunk exists (a late answer).
   */
  complete(index: number, c: Completion, now: number, token?: number): boolean {
    const row = this.exec('SELECT status, lease_token FROM chunk WHERE idx = ?', index)[0];
    if (!row || row.status === 'completed') return false;
    if (token !== undefined && row.lease_token !== token) return false;
    const wasFailed = row.status === 'failed';
    const job = this.job()!;
    const seq = job.completion_seq + 1;
    this.exec(
      `UPDATE chunk SET status = 'completed', lease_expires_at = NULL, r2_key = ?, mime_type = ?, bytes = ?,
         duration_ms = ?, words = ?, completed_seq = ? WHERE idx = ?`,
      c.r2Key, c.mimeType, c.bytes, c.durationMs, c.words && c.words.length > 0 ? JSON.stringify(c.words) : null, seq, index,
    );
    this.exec(
      `UPDATE job SET processed_count = processed_count + 1, failed_count = failed_count - ?, completion_seq = ?,
         updated_at = ?, status = CASE WHEN processed_count + 1 = total AND input_open = 0 AND status IN ('initialized', 'processing') THEN 'completed' ELSE status END
       WHERE id = 1`,
      wasFailed ? 1 : 0, seq, now,
    );
    return true;
  }

  /** Puts a chunk back in the queue after a retryable failure of lease `token`. */
  retryLater(index: number, token: number, message: string, notBefore: number, now: number): void {
    this.exec(
      `UPDATE chunk SET status = 'pending', lease_expires_at = NULL, not_before = ?, last_error = ?, last_error_at = ?
       WHERE idx = ? AND status = 'processing' AND lease_token = ?`,
      notBefore, message, now, index, token,
    );
  }

  /** Puts a chunk back after the backend was unavailable: the attempt does not count. */
  retryUnavailable(index: number, token: number, message: string, notBefore: number, now: number): void {
    this.exec(
      `UPDATE chunk SET status = 'pending', lease_expires_at = NULL, not_before = ?, last_error = ?, last_error_at = ?,
         attempts = MAX(0, attempts - 1)
       WHERE idx = ? AND status = 'processing' AND lease_token = ?`,
      notBefore, message, now, index, token,
    );
  }

  /** Returns a leased chunk to the queue untried (no backend was free, or routing failed): the attempt does not count. */
  deferLease(index: number, token: number, notBefore: number): void {
    this.exec(
      `UPDATE chunk SET status = 'pending', lease_expires_at = NULL, not_before = ?, attempts = MAX(0, attempts - 1)
       WHERE idx = ? AND status = 'processing' AND lease_token = ?`,
      notBefore, index, token,
    );
  }

  /** Fails a chunk for good and the job with it; with `token`, only if that lease is still the chunk's current one. */
  failChunk(index: number, message: string, now: number, token?: number): void {
    const row = this.exec('SELECT status, lease_token FROM chunk WHERE idx = ?', index)[0];
    if (!row || row.status === 'completed' || row.status === 'failed') return;
    if (token !== undefined && (row.status !== 'processing' || row.lease_token !== token)) return;
    this.exec(
      `UPDATE chunk SET status = 'failed', lease_expires_at = NULL, last_error = ?, last_error_at = ? WHERE idx = ?`,
      message, now, index,
    );
    this.exec(
      `UPDATE job SET failed_count = failed_count + 1, updated_at = ?,
         status = CASE WHEN status IN ('initialized', 'processing') THEN 'failed' ELSE status END,
         error_message = COALESCE(error_message, ?) WHERE id = 1`,
      now, `chunk ${index} failed: ${message}`,
    );
  }

  /**
   * Chunks are leased while later pages (or EPUB sections) are still being split, so a job is
   * complete only once its input is closed: `openInput` at creation when more is to come,
   * `closeInput` when splitting ends (which completes the job if every chunk already is).
   */
  openInput(): void {
    this.exec('UPDATE job SET input_open = 1 WHERE id = 1');
  }

  closeInput(now: number): void {
    this.exec(
      `UPDATE job SET input_open = 0, updated_at = ?,
         status = CASE WHEN processed_count = total AND total > 0 AND status IN ('initialized', 'processing') THEN 'completed' ELSE status END
       WHERE id = 1 AND input_open = 1`,
      now,
    );
  }

  setJobStatus(status: JobStatus, errorMessage: string | null, now: number): void {
    this.exec('UPDATE job SET status = ?, error_message = COALESCE(?, error_message), updated_at = ? WHERE id = 1', status, errorMessage, now);
  }

  /** After a restart no request of the old instance is still running: release its leases at once. */
  releaseAllLeases(): number {
    if (!this.exists()) return 0;
    // Their attempt never got an answer: it does not count.
    const rows = this.exec(
      `UPDATE chunk SET status = 'pending', lease_expires_at = NULL, attempts = MAX(0, attempts - 1) WHERE status = 'processing' RETURNING idx`,
    );
    return rows.length;
  }

  chunk(index: number): ChunkRow | null {
    return (this.exec('SELECT * FROM chunk WHERE idx = ?', index)[0] as unknown as ChunkRow | undefined) ?? null;
  }

  /** Completed chunks from `fromIndex` on, in index order. */
  completedFrom(fromIndex: number, limit: number): ChunkRow[] {
    return this.exec(`SELECT * FROM chunk WHERE idx >= ? AND status = 'completed' ORDER BY idx LIMIT ?`, fromIndex, limit) as unknown as ChunkRow[];
  }

  /** Completed chunks in completion order after a sequence number. */
  completedAfterSeq(seq: number, limit: number): ChunkRow[] {
    return this.exec(`SELECT * FROM chunk WHERE completed_seq > ? ORDER BY completed_seq LIMIT ?`, seq, limit) as unknown as ChunkRow[];
  }

  counts(): Record<ChunkStatus, number> {
    const counts: Record<ChunkStatus, number> = { pending: 0, processing: 0, completed: 0, failed: 0 };
    for (const r of this.exec('SELECT status, COUNT(*) AS n FROM chunk GROUP BY status')) {
      counts[r.status as ChunkStatus] = r.n as number;
    }
    return counts;
  }

  /** Earliest time at which some chunk becomes leasable, or null if none will. */
  nextWorkAt(): number | null {
    const r = this.exec(
      `SELECT MIN(CASE WHEN status = 'pending' THEN not_before ELSE lease_expires_at END) AS t
       FROM chunk WHERE status IN ('pending', 'processing')`,
    )[0];
    return (r?.t as number | null | undefined) ?? null;
  }

  chunkInfos(fromIndex = 0, limit = 1_000_000): ChunkInfo[] {
    return this.exec('SELECT * FROM chunk WHERE idx >= ? ORDER BY idx LIMIT ?', fromIndex, limit).map((r) => toChunkInfo(r as unknown as ChunkRow));
  }

  r2Keys(): string[] {
    return this.exec('SELECT r2_key FROM chunk WHERE r2_key IS NOT NULL').map((r) => r.r2_key as string);
  }

  state(includeChunks: boolean): JobState | null {
    const j = this.job();
    if (!j) return null;
    const state: JobState = {
      jobId: j.job_id,
      status: j.status,
      voiceId: j.voice_id,
      splitting: j.splitting,
      totalSentences: j.total,
      currentSentenceIndex: j.current_index,
      processedSentenceCount: j.processed_count,
      counts: this.counts(),
      overallOrchestratorTimeoutMs: j.overall_timeout_ms,
      errorMessage: j.error_message,
      createdAt: j.created_at,
      updatedAt: j.updated_at,
      expiresAt: j.expires_at,
      // Book fields: the Durable Object fills them in from BookStore for book jobs.
      metadata: { title: null, author: null },
      chapters: [],
      audioFormat: 'wav',
    };
    if (includeChunks) state.chunks = this.chunkInfos();
    return state;
  }
}

export function toChunkInfo(r: ChunkRow): ChunkInfo {
  const info: ChunkInfo = {
    index: r.idx,
    text: r.text,
    status: r.status,
    attempts: r.attempts,
    paragraphStart: r.paragraph_start === 1,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    mimeType: r.mime_type,
    bytes: r.bytes,
    durationMs: r.duration_ms,
  };
  if (r.words) info.words = JSON.parse(r.words) as WordTiming[];
  if (r.speak !== null && r.speak !== undefined) info.speak = r.speak;
  if (r.pause_before_ms !== null && r.pause_before_ms !== undefined) info.pauseBeforeMs = r.pause_before_ms;
  if (r.speed !== null && r.speed !== undefined) info.speed = r.speed;
  return info;
}

export function parseWords(r: ChunkRow): WordTiming[] | undefined {
  return r.words ? (JSON.parse(r.words) as WordTiming[]) : undefined;
}
