// Open Server-Sent Event streams of one job. Each stream has its own cursor,
// so every chunk goes out exactly once per stream, in index order (or in
// completion order when asked), whether it is replayed or live.
import type { ChunkEventData, EndEventData, ErrorEventData, JobEventData, ProgressEventData } from '../../../core/api/types.ts';
import { bytesToBase64 } from '../../../core/base64.ts';
import { formatSseComment, formatSseEvent } from '../../../core/sse.ts';
import { type ChunkRow, type JobStore, parseWords } from './JobStore.ts';

export const HEARTBEAT_MS = 15_000;
const REPLAY_BATCH = 100;

export interface StreamOptions {
  /** Send chunks with index > fromIndex (Last-Event-ID semantics). */
  fromIndex: number;
  inline: boolean;
  order: 'index' | 'completion';
}

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  opts: StreamOptions;
  /** index order: next index to send. */
  next: number;
  /** completion order: last completion sequence sent, and the indexes sent. */
  lastSeq: number;
  sent: Set<number>;
  closed: boolean;
  /** Serializes sends so events never interleave. */
  chain: Promise<void>;
}

export interface EventHubDeps {
  store: JobStore;
  bucket: R2Bucket;
  chunkUrl(jobId: string, index: number): string;
  /** Comment heartbeat interval (ms); default HEARTBEAT_MS. */
  heartbeatMs?: number;
}

export class EventHub {
  private readonly subs = new Set<Subscriber>();
  private readonly encoder = new TextEncoder();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly deps: EventHubDeps;

  constructor(deps: EventHubDeps) {
    this.deps = deps;
  }

  get size(): number {
    return this.subs.size;
  }

  /** Opens a stream: `event: job`, then the replay, then live events. */
  open(opts: StreamOptions): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const sub: Subscriber = {
      writer: writable.getWriter(),
      opts,
      next: Math.max(0, opts.fromIndex + 1),
      lastSeq: 0,
      sent: new Set(),
      closed: false,
      chain: Promise.resolve(),
    };
    this.subs.add(sub);
    const job = this.deps.store.job();
    if (job) {
      const data: JobEventData = { jobId: job.job_id, total: job.total, overallOrchestratorTimeoutMs: job.overall_timeout_ms, status: job.status };
      this.write(sub, formatSseEvent('job', data));
    }
    this.enqueue(sub, () => this.flush(sub));
    this.ensureHeartbeat();
    return readable;
  }

  /** A chunk completed: push what each stream can now send, then progress. */
  chunkCompleted(): void {
    const progress = this.progress();
    for (const sub of this.subs) {
      this.enqueue(sub, async () => {
        await this.flush(sub);
        if (progress) this.write(sub, formatSseEvent('progress', progress));
      });
    }
  }

  /** The job reached a terminal state: flush, then end or error, then close. */
  jobSettled(): void {
    for (const sub of this.subs) this.enqueue(sub, () => this.flush(sub));
  }

  closeAll(): void {
    for (const sub of this.subs) this.close(sub);
  }

  private progress(): ProgressEventData | null {
    const job = this.deps.store.job();
    if (!job) return null;
    return { completed: job.processed_count, failed: job.failed_count, total: job.total, status: job.status };
  }

  private enqueue(sub: Subscriber, task: () => Promise<void>): void {
    sub.chain = sub.chain.then(async () => {
      if (sub.closed) return;
      try {
        await task();
      } catch (e) {
        console.warn('sse: dropping stream after send failure', String(e));
        this.close(sub);
      }
    });
  }

  /** Sends every chunk the stream may now have, and the terminal event if the job is over. */
  private async flush(sub: Subscriber): Promise<void> {
    const store = this.deps.store;
    if (sub.opts.order === 'index') {
      for (;;) {
        const rows = store.completedFrom(sub.next, REPLAY_BATCH);
        let progressed = false;
        for (const row of rows) {
          if (row.idx !== sub.next) break;
          await this.sendChunk(sub, row);
          sub.next++;
          progressed = true;
        }
        if (!progressed || rows.length < REPLAY_BATCH) break;
      }
    } else {
      for (;;) {
        const rows = store.completedAfterSeq(sub.lastSeq, REPLAY_BATCH);
        for (const row of rows) {
          sub.lastSeq = row.completed_seq ?? sub.lastSeq;
          if (row.idx <= sub.opts.fromIndex || sub.sent.has(row.idx)) continue;
          sub.sent.add(row.idx);
          await this.sendChunk(sub, row);
        }
        if (rows.length < REPLAY_BATCH) break;
      }
    }
    this.maybeSettle(sub);
  }

  private maybeSettle(sub: Subscriber): void {
    const job = this.deps.store.job();
    if (!job || sub.closed) return;
    if (job.status === 'completed') {
      const done = sub.opts.order === 'index' ? sub.next >= job.total : true;
      if (!done) return;
      const data: EndEventData = { jobId: job.job_id, status: job.status, total: job.total };
      this.write(sub, formatSseEvent('end', data));
      this.close(sub);
    } else if (job.status === 'failed' || job.status === 'cancelled') {
      const data: ErrorEventData = {
        code: job.status === 'failed' ? 'job_failed' : 'job_cancelled',
        message: job.error_message ?? `job ${job.status}`,
      };
      this.write(sub, formatSseEvent('error', data));
      this.close(sub);
    }
  }

  private async sendChunk(sub: Subscriber, row: ChunkRow): Promise<void> {
    const job = this.deps.store.job()!;
    const data: ChunkEventData = {
      index: row.idx,
      mimeType: row.mime_type ?? 'audio/wav',
      url: this.deps.chunkUrl(job.job_id, row.idx),
      durationMs: row.duration_ms,
      text: row.text,
      paragraphStart: row.paragraph_start === 1,
    };
    const words = parseWords(row);
    if (words) data.words = words;
    if (sub.opts.inline && row.r2_key) {
      const obj = await this.deps.bucket.get(row.r2_key);
      if (obj) data.audioChunk = bytesToBase64(new Uint8Array(await obj.arrayBuffer()));
    }
    this.write(sub, formatSseEvent('message', data, row.idx));
  }

  private write(sub: Subscriber, text: string): void {
    if (sub.closed) return;
    sub.writer.write(this.encoder.encode(text)).catch(() => this.close(sub));
  }

  private close(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    this.subs.delete(sub);
    sub.writer.close().catch(() => undefined /* the client already went away */);
    if (this.subs.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => {
      for (const sub of this.subs) this.write(sub, formatSseComment('heartbeat'));
    }, this.deps.heartbeatMs ?? HEARTBEAT_MS);
  }
}
