// One Durable Object per job (seed 001): the RPC surface, the alarm and the SSE
// `fetch`. The work is in JobLifecycle (create, paging, schedule, expiry,
// delete), ChunkDispatcher (dispatch and retries), JobStore (rows), EventHub
// (streams); features follow a job through JobEvents listeners.
import { DurableObject } from 'cloudflare:workers';
import type { ChunkAudioFormat, JobAudioFormat, JobState, WordTiming, JobStatus } from '../../../core/api/types.ts';
import { LectorError } from '../../../core/errors.ts';
import { err, ok, type Result, type WireError } from '../../../core/result.ts';
import { jobConfig, type JobConfig } from './config.ts';
import { EventHub, parseInlineAudio } from './EventHub.ts';
import { ChunkDispatcher } from './ChunkDispatcher.ts';
import { JobEvents, TERMINAL } from './JobEvents.ts';
import { type InitializedJob, type InitializeJobParams, JobLifecycle } from './JobLifecycle.ts';
import { releaseJob } from '../security/quota.ts';
import { type ChunkLease, type Completion, JobStore } from './JobStore.ts';
import { BookAssembly } from './BookAssembly.ts';
import { redoChunk, type RedoneChunk } from './PassageRedo.ts';
import { BOOK_MIME_TYPES } from '../../../core/audio/book/metadata.ts';
import { SPLIT_BUDGET_CHARS } from '../../../core/pages.ts';
import { webhookListener } from '../webhooks/subscription.ts';

/** Wait before retrying a failed assembly step. */
const ASSEMBLY_RETRY_MS = 5_000;

export type { InitializedJob, InitializeJobParams } from './JobLifecycle.ts';
export type { JobListener } from './JobEvents.ts';

/** One leased chunk in the seed's shape (`sentence` is the chunk's text: one or more sentences). */
export interface SentenceToProcess {
  done: boolean;
  sentence?: string;
  index?: number;
  attempt?: number;
  timeoutMs?: number;
}

export interface ChunkMetadata {
  index: number;
  status: string;
  r2Key: string | null;
  mimeType: string | null;
  bytes: number | null;
  durationMs: number | null;
  paragraphStart: boolean;
  text: string;
  words?: WordTiming[];
  lastError: string | null;
}

export interface AudioPlanChunk {
  index: number;
  r2Key: string;
  bytes: number;
  paragraphStart: boolean;
  durationMs: number | null;
  /** Explicit silence before the chunk (SSML `break`). */
  pauseBeforeMs?: number;
  text?: string;
  words?: WordTiming[];
}

export interface AudioPlan {
  jobId: string;
  status: JobStatus;
  total: number;
  chunks: AudioPlanChunk[];
}

export class TtsJobDurableObject extends DurableObject<Env> {
  private readonly store: JobStore;
  private readonly hub: EventHub;
  private readonly config: JobConfig;
  /** Listeners that follow the job (streams, usage release; later assembly, webhooks). */
  private readonly events: JobEvents;
  private readonly lifecycle: JobLifecycle;
  private readonly dispatcher: ChunkDispatcher;
  /** Alarm invocations of this instance, for the benchmark. */
  private alarms = 0;
  /** Failed alarm invocations in a row. */
  private alarmFailures = 0;
  /** A book job's audiobook files, assembled in R2 by the alarms. */
  private readonly assembly: BookAssembly;
  /** The job's chunk format (null: the provider's own), once read. */
  private chunkFormat: ChunkAudioFormat | null | undefined;
  /** After a failed assembly step, the next one waits until then. */
  private assemblyRetryAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = jobConfig(env as unknown as Record<string, unknown>);
    this.store = new JobStore(ctx.storage);
    this.events = new JobEvents(this.store);
    this.hub = new EventHub({
      store: this.store,
      bucket: env.TTS_AUDIO_BUCKET,
      chunkUrl: (jobId, index) => `/api/tts/${jobId}/chunks/${index}`,
      heartbeatMs: this.config.heartbeatMs,
    });
    this.events.subscribe({ chunkCompleted: (row, audio) => this.hub.chunkCompleted(row, audio), jobSettled: () => this.hub.jobSettled(), jobRemoved: () => this.hub.closeAll() });
    // A job's end frees its API key's usage slot.
    this.events.subscribe({
      jobSettled: (job) => {
        if (!job.owner_key) return;
        ctx.waitUntil(releaseJob(env, job.owner_key, job.job_id, true).catch((e: unknown) => console.warn('usage release failed', job.job_id, String(e))));
      },
    });
    // A settled job's webhook event goes to its WebhookDelivery object (docs/webhooks-and-feeds.md).
    this.events.subscribe(webhookListener(ctx, env));
    this.lifecycle = new JobLifecycle({
      store: this.store,
      storage: ctx.storage,
      bucket: env.TTS_AUDIO_BUCKET,
      config: this.config,
      events: this.events,
      startDispatch: () => this.dispatchInBackground(),
    });
    this.dispatcher = new ChunkDispatcher({
      store: this.store,
      env,
      config: this.config,
      events: this.events,
      waitUntil: (p) => ctx.waitUntil(p),
      onIdleSettle: () => this.reschedule(),
      // A job's chunk format never changes: read once, not per chunk.
      chunkFormat: () => {
        if (this.chunkFormat === undefined) this.chunkFormat = this.lifecycle.bookStore.meta()?.audio_format ?? null;
        return this.chunkFormat ?? undefined;
      },
    });
    this.assembly = new BookAssembly(ctx.storage.sql, env.TTS_AUDIO_BUCKET, this.store, this.lifecycle.bookStore);
    this.events.subscribe({ jobRemoved: () => this.assembly.forget() });
    // A new instance means the old one and its in-flight requests are gone:
    // release their leases now instead of waiting for them to expire.
    const released = this.store.releaseAllLeases();
    if (released > 0) {
      ctx.waitUntil(ctx.storage.setAlarm(Date.now()));
    }
  }

  // ---- RPC methods (seed 001) ------------------------------------------------

  async initializeJob(params: InitializeJobParams): Promise<Result<InitializedJob>> {
    try {
      return ok(await this.lifecycle.create(params));
    } catch (e) {
      return failure(e);
    }
  }

  /** Leases the next chunk (seed 001's name; a "sentence" here is a chunk of one or more sentences). */
  async getNextSentenceToProcess(): Promise<SentenceToProcess> {
    const [lease] = this.leaseIfActive(1);
    if (!lease) return { done: true };
    return { done: false, sentence: lease.text, index: lease.index, attempt: lease.attempt, timeoutMs: lease.timeoutMs };
  }

  /** Batch form: leases up to `k` chunks. */
  async getNextSentencesToProcess(k: number): Promise<ChunkLease[]> {
    return this.leaseIfActive(Math.max(0, Math.min(100, Math.floor(k))));
  }

  /**
   * Marks a chunk completed (seed 001's name), keeping the dispatcher's invariant: the chunk's
   * audio must be in R2, under this job's prefix. The byte count is R2's, not the caller's.
   */
  async markSentenceAsProcessed(index: number, completion: Completion): Promise<{ changed: boolean; status: JobStatus | null }> {
    const job = this.store.job();
    if (!job) return { changed: false, status: null };
    if (!completion.r2Key.startsWith(`tts_audio/${job.job_id}/`)) return { changed: false, status: job.status };
    const head = await this.env.TTS_AUDIO_BUCKET.head(completion.r2Key);
    if (!head) return { changed: false, status: this.store.job()?.status ?? null };
    const changed = this.store.complete(index, { ...completion, bytes: head.size }, Date.now());
    if (changed) this.events.chunkCompleted(index);
    return { changed, status: this.store.job()?.status ?? null };
  }

  async getAudioChunkMetadata(index: number): Promise<Result<ChunkMetadata>> {
    const job = this.store.job();
    if (!job) return err(new LectorError('job_not_found', 404, 'no such job'));
    if (!Number.isSafeInteger(index) || index < 0 || index >= job.total) {
      return err(new LectorError('chunk_not_found', 404, `chunk index must be an integer in [0, ${job.total - 1}]`));
    }
    const r = this.store.chunk(index)!;
    const meta: ChunkMetadata = {
      index,
      status: r.status,
      r2Key: r.r2_key,
      mimeType: r.mime_type,
      bytes: r.bytes,
      durationMs: r.duration_ms,
      paragraphStart: r.paragraph_start === 1,
      text: r.text,
      lastError: r.last_error,
    };
    if (r.words) meta.words = JSON.parse(r.words) as WordTiming[];
    return ok(meta);
  }

  /** The completed chunks in index order (with text and word timings if asked), for the full audio and captions. */
  async getAudioPlan(withText: boolean): Promise<AudioPlan | null> {
    const job = this.store.job();
    if (!job) return null;
    const chunks: AudioPlanChunk[] = [];
    for (let from = 0; ; ) {
      const rows = this.store.completedFrom(from, 500);
      for (const r of rows) {
        const c: AudioPlanChunk = { index: r.idx, r2Key: r.r2_key!, bytes: r.bytes ?? 0, paragraphStart: r.paragraph_start === 1, durationMs: r.duration_ms };
        if (r.pause_before_ms !== null) c.pauseBeforeMs = r.pause_before_ms;
        if (withText) {
          c.text = r.text;
          if (r.words) c.words = JSON.parse(r.words) as WordTiming[];
        }
        chunks.push(c);
      }
      if (rows.length < 500) break;
      from = rows[rows.length - 1]!.idx + 1;
    }
    return { jobId: job.job_id, status: job.status, total: job.total, chunks };
  }

  async getJobState(includeChunks = false): Promise<JobState | null> {
    const state = this.store.state(includeChunks);
    const meta = state ? this.lifecycle.bookStore.meta() : null;
    if (!state || !meta) return state;
    state.metadata = { title: meta.title, author: meta.author };
    state.audioFormat = meta.audio_format;
    const assembled = new Map((this.assembly.status()?.chapters ?? []).map((c) => [c.index, c.durationMs]));
    state.chapters = this.lifecycle.bookStore.chapters().map((c) => ({ ...c, durationMs: assembled.get(c.index) ?? null }));
    const book = this.assembly.describe(state.jobId, state.status === 'failed' || state.status === 'cancelled');
    if (book) state.book = book;
    return state;
  }

  /**
   * Where the assembled book (chapter null) or one chapter's file is, for the
   * download routes; null when the job has no such file.
   */
  async getBookFile(chapter: number | null): Promise<{ key: string; mimeType: string; complete: boolean; durationMs: number | null } | null> {
    const meta = this.lifecycle.bookStore.meta();
    const s = this.assembly.status();
    if (!meta || !s) return null;
    const mimeType = BOOK_MIME_TYPES[meta.audio_format as JobAudioFormat];
    if (chapter === null) return { key: s.book.key, mimeType, complete: s.book.complete, durationMs: s.book.durationMs };
    const c = s.chapters.find((x) => x.index === chapter);
    return c ? { key: c.key, mimeType, complete: c.complete, durationMs: c.durationMs } : null;
  }

  /** Chapter start times in the assembled book (for chapters.vtt); null before the book is complete. */
  async getBookChapters(): Promise<{ index: number; title: string; startMs: number }[] | null> {
    const s = this.assembly.status();
    if (!s || !s.book.complete) return null;
    return s.book.chapterStarts;
  }

  async updateJobStatus(u: { status?: JobStatus; errorMessage?: string; sentenceIndexToFail?: number }): Promise<JobState | null> {
    if (!this.store.exists()) return null;
    const now = Date.now();
    if (u.sentenceIndexToFail !== undefined) this.store.failChunk(u.sentenceIndexToFail, u.errorMessage ?? 'failed by request', now);
    if (u.status) this.store.setJobStatus(u.status, u.errorMessage ?? null, now);
    this.events.settledIfTerminal();
    return this.store.state(false);
  }

  /** Removes the job's audio from R2 and all its state. */
  async deleteState(): Promise<{ deleted: boolean; objects: number }> {
    // Open multipart uploads are not objects yet: abort them so no parts linger.
    if (this.store.job()) await this.assembly.abort().catch((e: unknown) => console.warn('assembly abort failed', String(e)));
    return this.lifecycle.delete();
  }

  /** Redoes a passage (docs/voice-control.md): chunk `index` gets `text`; only it is synthesized again. */
  async replaceChunkText(index: number, text: string): Promise<Result<RedoneChunk>> {
    try {
      const redone = this.ctx.storage.transactionSync(() => redoChunk(this.store, this.ctx.storage.sql, index, text, Date.now()));
      if (this.lifecycle.bookStore.meta()) await this.assembly.reset();
      await this.ctx.storage.setAlarm(Date.now());
      return ok(redone);
    } catch (e) {
      return failure(e);
    }
  }

  /** This instance's counters (reset when the object restarts), for the benchmark. */
  async stats(): Promise<{ alarms: number; backendCalls: number; rowsWritten: number }> {
    return { alarms: this.alarms, backendCalls: this.dispatcher.backendCalls, rowsWritten: this.store.rowsWritten };
  }

  // ---- Streams ---------------------------------------------------------------

  /**
   * `GET /events?from=N&inline=1|first&order=index|completion` — the job's SSE stream. `from` is the
   * last event id the client saw: a chunk index in index order, a completion sequence in completion order.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/events') return new Response('not found', { status: 404 });
    if (!this.store.job()) {
      return new LectorError('job_not_found', 404, 'no such job').toResponse();
    }
    const from = Number(url.searchParams.get('from') ?? '-1');
    const stream = this.hub.open({
      from: Number.isSafeInteger(from) ? from : -1,
      inline: parseInlineAudio(url.searchParams.get('inline')),
      order: url.searchParams.get('order') === 'completion' ? 'completion' : 'index',
    });
    return new Response(stream, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'content-encoding': 'identity',
        'x-accel-buffering': 'no',
      },
    });
  }

  // ---- Durable execution -------------------------------------------------------

  /**
   * Every path leaves the next alarm set while the job exists: a failure (RouterCounter or R2
   * unreachable, say) re-arms with a growing delay instead of relying on the runtime's few retries.
   */
  override async alarm(): Promise<void> {
    this.alarms++;
    try {
      await this.advance();
      this.alarmFailures = 0;
    } catch (e) {
      this.alarmFailures++;
      console.error('job alarm failed; retrying', String(e));
      if (this.store.exists()) await this.ctx.storage.setAlarm(Date.now() + alarmRetryDelayMs(this.alarmFailures));
    }
  }

  private async advance(): Promise<void> {
    const job = this.store.job();
    if (!job) return;
    if (Date.now() >= job.expires_at) {
      await this.lifecycle.expire(job.job_id);
      return;
    }
    if (await this.lifecycle.splitWithin(SPLIT_BUDGET_CHARS)) {
      // A budget of pages per invocation keeps its CPU bounded; the next alarm goes on, while
      // the chunks already split are dispatched beside it.
      if (!this.dispatcher.running) this.dispatchInBackground();
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    const more = await this.stepAssembly();
    if (!TERMINAL.has(job.status)) await this.dispatcher.pump();
    await this.reschedule(more);
  }

  /** One bounded assembly step; a failure is logged and retried by an alarm a little later. */
  private async stepAssembly(): Promise<boolean> {
    try {
      const more = await this.assembly.step();
      this.assemblyRetryAt = 0;
      return more;
    } catch (e) {
      console.warn('audiobook assembly step failed', String(e));
      this.assemblyRetryAt = Date.now() + ASSEMBLY_RETRY_MS;
      return false;
    }
  }

  /** Sets the next alarm: work, expiry, or (a finished job's book still assembling) at once. */
  private async reschedule(more = false): Promise<void> {
    await this.lifecycle.schedule(this.dispatcher.holdUntil);
    const finished = this.store.job()?.status === 'completed';
    if (more || (finished && this.assembly.pending())) await this.ctx.storage.setAlarm(Math.max(Date.now(), this.assemblyRetryAt));
  }

  /** A pump outside the alarm (job creation, splitting alarms); the alarm remains the durable fallback. */
  private dispatchInBackground(): void {
    const job = this.store.job();
    if (!job || TERMINAL.has(job.status)) return;
    this.ctx.waitUntil(
      this.dispatcher
        .pump()
        .then(() => this.reschedule())
        .catch((e: unknown) => console.warn('dispatch outside the alarm failed; the alarm goes on', String(e))),
    );
  }

  private leaseIfActive(k: number): ChunkLease[] {
    const job = this.store.job();
    if (!job || TERMINAL.has(job.status)) return [];
    return this.store.lease(k, Date.now());
  }
}

/** 1 s, 2 s, 4 s … up to a minute. */
function alarmRetryDelayMs(failures: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, failures - 1));
}

function failure(e: unknown): { ok: false; error: WireError } {
  if (e instanceof LectorError) return err(e);
  console.error('TtsJobDurableObject: unexpected error', e);
  return err(new LectorError('internal', 500, 'internal error'));
}
