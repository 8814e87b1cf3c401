// One file being assembled into R2 (the book, or one chapter): its writer
// state, its staged bytes and its multipart upload. Parts are `partSize`
// bytes; part 1 holds the header slot and waits for the end, when the header
// is known. A file no larger than one part is a single `put` instead.
//
// Crash safety: R2 side effects (upload id, part etags, completion) are
// recorded the moment they happen; the stream state (writer state, sizes,
// staged bytes) is written by `commit()` in one synchronous block together
// with the assembler's cursor, so a step that dies is simply redone.
import { concatBytes } from '../../../core/audio/bytes.ts';
import type { BookWriterState } from '../../../core/audio/book/writer.ts';

/** R2 calls made in one step, against its budget. */
export interface CallCounter {
  used: number;
  /** Of which class-A operations (put, create, upload part, complete). */
  writes: number;
}

export interface ChapterStart {
  index: number;
  title: string;
  startMs: number;
}

export interface OutputRecord {
  target: string;
  key: string;
  slotBytes: number;
  state: BookWriterState;
  /** Slot plus audio appended so far. */
  fileBytes: number;
  /** Parts 2.. cover the file up to this offset (starts at `partSize`: part 1 is last). */
  uploadedTo: number;
  /** Chunks appended. */
  chunks: number;
  chapterStarts: ChapterStart[];
  uploadId: string | null;
  status: 'open' | 'complete';
  durationMs: number | null;
}

/** Staged rows stay under SQLite's 2 MB row limit. */
const STAGED_ROW_BYTES = 1024 * 1024;

interface OutputRow extends Record<string, SqlStorageValue> {
  target: string;
  key: string;
  slot_bytes: number;
  writer_state: string;
  file_bytes: number;
  uploaded_to: number;
  chunks: number;
  chapter_starts: string;
  upload_id: string | null;
  status: string;
  duration_ms: number | null;
}

export function readOutput(sql: SqlStorage, target: string): OutputRecord | undefined {
  const row = sql.exec<OutputRow>('SELECT * FROM audiobook_output WHERE target = ?', target).toArray()[0];
  if (!row) return undefined;
  return {
    target: row.target,
    key: row.key,
    slotBytes: row.slot_bytes,
    state: JSON.parse(row.writer_state) as BookWriterState,
    fileBytes: row.file_bytes,
    uploadedTo: row.uploaded_to,
    chunks: row.chunks,
    chapterStarts: JSON.parse(row.chapter_starts) as ChapterStart[],
    uploadId: row.upload_id,
    status: row.status === 'complete' ? 'complete' : 'open',
    durationMs: row.duration_ms,
  };
}

export function listOutputs(sql: SqlStorage): OutputRecord[] {
  const targets = sql.exec<{ target: string }>('SELECT target FROM audiobook_output ORDER BY rowid').toArray();
  return targets.map((t) => readOutput(sql, t.target)!);
}

export class OutputFile {
  private pending: { start: number; bytes: Uint8Array }[] = [];
  private readonly sql: SqlStorage;
  private readonly bucket: R2Bucket;
  private readonly partSize: number;
  private readonly contentType: string;
  readonly rec: OutputRecord;

  private constructor(sql: SqlStorage, bucket: R2Bucket, rec: OutputRecord, partSize: number, contentType: string) {
    this.sql = sql;
    this.bucket = bucket;
    this.rec = rec;
    this.partSize = partSize;
    this.contentType = contentType;
  }

  /** The file's row, created (and recorded at once) on first use. */
  static open(sql: SqlStorage, bucket: R2Bucket, fresh: Omit<OutputRecord, 'fileBytes' | 'uploadedTo' | 'chunks' | 'chapterStarts' | 'uploadId' | 'status' | 'durationMs'>, partSize: number, contentType: string): OutputFile {
    if (fresh.slotBytes >= partSize) throw new RangeError(`header slot of ${fresh.slotBytes} bytes does not fit in a ${partSize}-byte part`);
    sql.exec(
      'INSERT OR IGNORE INTO audiobook_output (target, key, slot_bytes, writer_state, file_bytes, uploaded_to) VALUES (?, ?, ?, ?, ?, ?)',
      fresh.target, fresh.key, fresh.slotBytes, JSON.stringify(fresh.state), fresh.slotBytes, partSize,
    );
    return new OutputFile(sql, bucket, readOutput(sql, fresh.target)!, partSize, contentType);
  }

  static load(sql: SqlStorage, bucket: R2Bucket, target: string, partSize: number, contentType: string): OutputFile | undefined {
    const rec = readOutput(sql, target);
    return rec && new OutputFile(sql, bucket, rec, partSize, contentType);
  }

  get complete(): boolean {
    return this.rec.status === 'complete';
  }

  append(bytes: Uint8Array, state: BookWriterState): void {
    this.pending.push({ start: this.rec.fileBytes, bytes });
    this.rec.fileBytes += bytes.length;
    this.rec.state = state;
    this.rec.chunks++;
  }

  /** R2 calls `flushFullParts` may make now (each full part past part 1, plus creating the upload). */
  fullPartsDue(): number {
    const parts = Math.floor((this.rec.fileBytes - this.rec.uploadedTo) / this.partSize);
    return parts > 0 ? parts + (this.rec.uploadId ? 0 : 1) : 0;
  }

  /** Uploads every full part after part 1. */
  async flushFullParts(calls: CallCounter): Promise<void> {
    while (this.rec.fileBytes - this.rec.uploadedTo >= this.partSize) {
      const start = this.rec.uploadedTo;
      await this.uploadPart(start / this.partSize + 1, this.readRange(start, start + this.partSize), calls);
      this.rec.uploadedTo = start + this.partSize;
    }
  }

  /** Writes the header into the slot and makes the object whole: one put, or the last part, part 1 and complete. */
  async finish(header: Uint8Array, durationMs: number, calls: CallCounter): Promise<void> {
    if (this.complete) return;
    if (header.length !== this.rec.slotBytes) throw new RangeError(`header is ${header.length} bytes, slot ${this.rec.slotBytes}`);
    if (this.rec.fileBytes <= this.partSize) {
      await this.bucket.put(this.rec.key, concatBytes([header, this.readRange(this.rec.slotBytes, this.rec.fileBytes)]), { httpMetadata: { contentType: this.contentType } });
      calls.used++;
      calls.writes++;
    } else {
      try {
        await this.completeMultipart(header, calls);
      } catch (e) {
        // Completed just before a crash lost the record: the object is there, whole.
        const head = await this.bucket.head(this.rec.key);
        calls.used++;
        if (head?.size !== this.rec.fileBytes) throw e;
      }
    }
    this.rec.status = 'complete';
    this.rec.durationMs = durationMs;
    // The chapter starts too: a file finished in the step that began it is never committed.
    this.sql.exec(
      "UPDATE audiobook_output SET status = 'complete', duration_ms = ?, file_bytes = ?, chapter_starts = ? WHERE target = ?",
      durationMs, this.rec.fileBytes, JSON.stringify(this.rec.chapterStarts), this.rec.target,
    );
    this.sql.exec('DELETE FROM audiobook_staged WHERE target = ?', this.rec.target);
    this.sql.exec('DELETE FROM audiobook_part WHERE target = ?', this.rec.target);
    this.pending = [];
  }

  /** Records this step's stream state and stages the bytes no part has taken yet. Synchronous: one atomic write with the cursor. */
  commit(): void {
    if (this.complete) return;
    const r = this.rec;
    this.sql.exec(
      'UPDATE audiobook_output SET writer_state = ?, file_bytes = ?, uploaded_to = ?, chunks = ?, chapter_starts = ? WHERE target = ?',
      JSON.stringify(r.state), r.fileBytes, r.uploadedTo, r.chunks, JSON.stringify(r.chapterStarts), r.target,
    );
    if (this.pending.length > 0) {
      // This step's bytes are contiguous: stage them as few rows as possible, keeping what
      // part 1 needs ([slot, partSize)) and what no part has taken yet ([uploadedTo, ...)).
      const from = this.pending[0]!.start;
      const all = concatBytes(this.pending.map((p) => p.bytes));
      const end = from + all.length;
      for (const [lo, hi] of [[from, Math.min(end, this.partSize)], [Math.max(from, r.uploadedTo), end]] as const) {
        for (let s = lo; s < hi; s += STAGED_ROW_BYTES) {
          const e = Math.min(hi, s + STAGED_ROW_BYTES);
          this.sql.exec('INSERT INTO audiobook_staged (target, start_offset, end_offset, bytes) VALUES (?, ?, ?, ?)', r.target, s, e, all.slice(s - from, e - from).buffer);
        }
      }
    }
    this.pending = [];
    this.sql.exec('DELETE FROM audiobook_staged WHERE target = ? AND start_offset >= ? AND end_offset <= ?', r.target, this.partSize, r.uploadedTo);
  }

  private async completeMultipart(header: Uint8Array, calls: CallCounter): Promise<void> {
    await this.flushFullParts(calls);
    if (this.rec.fileBytes > this.rec.uploadedTo) {
      await this.uploadPart(this.rec.uploadedTo / this.partSize + 1, this.readRange(this.rec.uploadedTo, this.rec.fileBytes), calls);
      this.rec.uploadedTo = this.rec.fileBytes;
    }
    await this.uploadPart(1, concatBytes([header, this.readRange(this.rec.slotBytes, this.partSize)]), calls);
    const parts = this.sql
      .exec<{ part_number: number; etag: string }>('SELECT part_number, etag FROM audiobook_part WHERE target = ? ORDER BY part_number', this.rec.target)
      .toArray()
      .map((p) => ({ partNumber: p.part_number, etag: p.etag }));
    await this.bucket.resumeMultipartUpload(this.rec.key, this.rec.uploadId!).complete(parts);
    calls.used++;
    calls.writes++;
  }

  private async uploadPart(partNumber: number, bytes: Uint8Array, calls: CallCounter): Promise<void> {
    if (!this.rec.uploadId) {
      const upload = await this.bucket.createMultipartUpload(this.rec.key, { httpMetadata: { contentType: this.contentType } });
      calls.used++;
      calls.writes++;
      this.rec.uploadId = upload.uploadId;
      this.sql.exec('UPDATE audiobook_output SET upload_id = ? WHERE target = ?', upload.uploadId, this.rec.target);
    }
    const part = await this.bucket.resumeMultipartUpload(this.rec.key, this.rec.uploadId).uploadPart(partNumber, bytes);
    calls.used++;
    calls.writes++;
    // A part uploaded again (a step redone after a crash) replaces the etag: the recorded one wins.
    this.sql.exec('INSERT OR REPLACE INTO audiobook_part (target, part_number, etag) VALUES (?, ?, ?)', this.rec.target, part.partNumber, part.etag);
  }

  /** File bytes [start, end) from the staged rows and this step's pending bytes. */
  private readRange(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    const place = (from: number, bytes: Uint8Array) => {
      const s = Math.max(start, from);
      const e = Math.min(end, from + bytes.length);
      if (s < e) out.set(bytes.subarray(s - from, e - from), s - start);
    };
    const rows = this.sql.exec<{ start_offset: number; bytes: ArrayBuffer }>(
      'SELECT start_offset, bytes FROM audiobook_staged WHERE target = ? AND end_offset > ? AND start_offset < ? ORDER BY start_offset',
      this.rec.target, start, end,
    );
    for (const row of rows) place(row.start_offset, new Uint8Array(row.bytes));
    for (const p of this.pending) place(p.start, p.bytes);
    return out;
  }
}
