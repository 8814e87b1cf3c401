// Open Server-Sent Event streams of one job. Each stream is a cursor over the
// chunk rows, pulled by its reader: an event is read from the rows (and, with
// inline audio, from R2) only when the stream's queue has room, so a slow
// reader of a long finished job holds at most MAX_BUFFERED_BYTES plus one event
// in the object's memory. Every chunk goes out exactly once per stream, in index
// order (event id = chunk index) or completion order (event id = completion sequence).
import type { ChunkEventData, EndEventData, ErrorEventData, JobEventData, ProgressEventData } from '../../../core/api/types.ts';
import { bytesToBase64 } from '../../../core/base64.ts';
import { formatSseComment, formatSseEvent } from '../../../core/sse.ts';
import { type ChunkRow, type JobStore, parseWords } from './JobStore.ts';

export const HEARTBEAT_MS = 15_000;
/** Bytes a stream may hold queued for its reader before the hub stops producing events. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

export type InlineAudio = 'none' | 'first' | 'all';

/** The `inline` query value of a stream (`1`, `base64` or `all`: every chunk; `first`: chunk 0), as the routes and the object read it. */
export function parseInlineAudio(value: string | null | undefined): InlineAudio {
  if (value === '1' || value === 'base64' || value === 'all') return 'all';
  return value === 'first' ? 'first' : 'none';
}

export interface StreamOptions {
  /**
   * Resume point (Last-Event-ID semantics): in index order, send chunks with index > from;
   * in completion order, chunks whose completion sequence is > from. -1: from the start.
   */
  from: number;
  /** Which chunks' events carry their audio (base64): none, chunk 0 only (first audio without a request), or all. */
  inline: InlineAudio;
  order: 'index' | 'completion';
}

interface Subscriber {
  opts: StreamOptions;
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** index order: next index to send. */
  next: number;
  /** completion order: last completion sequence sent. */
  lastSeq: number;
  /** A chunk completed since the last progress event. */
  progressDue: boolean;
  heartbeatDue: boolean;
  closed: boolean;
  /** Wakes a pull that waits for something to send. */
  wake: (() => void) | null;
  /** Bytes handed to the stream so far (the reader's pace bounds it). */
  produced: number;
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
  /**
   * Chunk 0's bytes as its backend answer carried them, for its inline event without an R2
   * read; valid for that completion only (a redo completes it again, with a new sequence).
   */
  private firstAudio: { seq: number | null; bytes: Uint8Array } | undefined;

  constructor(deps: EventHubDeps) {
    this.deps = deps;
  }

  get size(): number {
    return this.subs.size;
  }

  /** Bytes each open stream was handed so far (tests compare it with what the reader took). */
  producedBytes(): number[] {
    return [...this.subs].map((s) => s.produced);
  }

  /** Opens a stream: `event: job`, then the replay, then live events, each when the reader has room. */
  open(opts: StreamOptions): ReadableStream<Uint8Array> {
    let sub: Subscriber | undefined;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          sub = {
            opts,
            controller,
            next: opts.order === 'index' ? Math.max(0, opts.from + 1) : 0,
            lastSeq: opts.order === 'completion' ? Math.max(0, opts.from) : 0,
            progressDue: false,
            heartbeatDue: false,
            closed: false,
            wake: null,
            produced: 0,
          };
          this.subs.add(sub);
          const job = this.deps.store.job();
          if (job) {
            const data: JobEventData = { jobId: job.job_id, total: job.total, overallOrchestratorTimeoutMs: job.overall_timeout_ms, status: job.status };
            this.enqueue(sub, formatSseEvent('job', data));
          }
          this.ensureHeartbeat();
        },
        pull: () => this.pull(sub!),
        cancel: () => this.close(sub!),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: MAX_BUFFERED_BYTES }),
    );
  }

  /** A chunk completed: waiting streams may now send it, then a progress event. */
  chunkCompleted(row: ChunkRow, audio?: Uint8Array): void {
    if (row.idx === 0) this.firstAudio = audio ? { seq: row.completed_seq, bytes: audio } : undefined;
    for (const sub of this.subs) {
      sub.progressDue = true;
      this.wakeUp(sub);
    }
  }

  /** The job reached a terminal state: streams send what is left, then end or error. */
  jobSettled(): void {
    for (const sub of this.subs) this.wakeUp(sub);
  }

  closeAll(): void {
    for (const sub of [...this.subs]) this.close(sub);
  }

  /** Sends one thing (or closes); waits while there is nothing to send. */
  private async pull(sub: Subscriber): Promise<void> {
    try {
      while (!sub.closed) {
        if (await this.sendNext(sub)) return;
        await new Promise<void>((resolve) => (sub.wake = resolve));
        sub.wake = null;
      }
    } catch (e) {
      console.warn('sse: dropping stream after send failure', String(e));
      this.close(sub);
    }
  }

  /** Enqueues the stream's next event; false when it has nothing to send now. */
  private async sendNext(sub: Subscriber): Promise<boolean> {
    const store = this.deps.store;
    const row = sub.opts.order === 'index' ? store.completedFrom(sub.next, 1)[0] : store.completedAfterSeq(sub.lastSeq, 1)[0];
    if (row && (sub.opts.order === 'completion' || row.idx === sub.next)) {
      const id = sub.opts.order === 'index' ? row.idx : row.completed_seq!;
      await this.sendChunk(sub, row, id);
      if (sub.opts.order === 'index') sub.next = row.idx + 1;
      else sub.lastSeq = row.completed_seq!;
      return true;
    }
    if (this.settle(sub)) return true;
    if (sub.progressDue) {
      sub.progressDue = false;
      const job = store.job();
      if (job) {
        const data: ProgressEventData = { completed: job.processed_count, failed: job.failed_count, total: job.total, status: job.status };
        this.enqueue(sub, formatSseEvent('progress', data));
        return true;
      }
    }
    if (sub.heartbeatDue) {
      sub.heartbeatDue = false;
      this.enqueue(sub, formatSseComment('heartbeat'));
      return true;
    }
    return false;
  }

  /** Sends the terminal event and closes, if the job is over and this stream has all it will get. */
  private settle(sub: Subscriber): boolean {
    const job = this.deps.store.job();
    if (!job) {
      this.close(sub);
      return true;
    }
    if (job.status === 'completed') {
      const data: EndEventData = { jobId: job.job_id, status: job.status, total: job.total };
      this.enqueue(sub, formatSseEvent('end', data));
    } else if (job.status === 'failed' || job.status === 'cancelled') {
      const data: ErrorEventData = { code: job.status === 'failed' ? 'job_failed' : 'job_cancelled', message: job.error_message ?? `job ${job.status}` };
      this.enqueue(sub, formatSseEvent('error', data));
    } else {
      return false;
    }
    this.close(sub);
    return true;
  }

  private async sendChunk(sub: Subscriber, row: ChunkRow, id: number): Promise<void> {
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
    if (row.r2_key && (sub.opts.inline === 'all' || (sub.opts.inline === 'first' && row.idx === 0))) {
      const held = row.idx === 0 && this.firstAudio && this.firstAudio.seq === row.completed_seq ? this.firstAudio.bytes : undefined;
      if (held) data.audioChunk = bytesToBase64(held);
      else {
        const obj = await this.deps.bucket.get(row.r2_key);
        if (obj) data.audioChunk = bytesToBase64(new Uint8Array(await obj.arrayBuffer()));
      }
    }
    this.enqueue(sub, formatSseEvent('message', data, id));
  }

  private enqueue(sub: Subscriber, text: string): void {
    if (sub.closed) return;
    const bytes = this.encoder.encode(text);
    sub.produced += bytes.byteLength;
    sub.controller.enqueue(bytes);
  }

  private wakeUp(sub: Subscriber): void {
    const wake = sub.wake;
    sub.wake = null;
    wake?.();
  }

  private close(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    this.subs.delete(sub);
    try {
      sub.controller.close();
    } catch {
      // already closed or cancelled by the reader
    }
    this.wakeUp(sub);
    if (this.subs.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /** A heartbeat goes only to streams waiting for events; a stream with queued bytes is not idle. */
  private ensureHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => {
      for (const sub of this.subs) {
        sub.heartbeatDue = true;
        this.wakeUp(sub);
      }
    }, this.deps.heartbeatMs ?? HEARTBEAT_MS);
  }
}
