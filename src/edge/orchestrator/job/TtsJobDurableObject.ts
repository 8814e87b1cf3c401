// One Durable Object per job (seed 001): holds the job in SQLite and drives it
// to the end with alarms, whether or not any client is connected.
import { DurableObject } from 'cloudflare:workers';
import type { JobState, RawTtsRequest, RawTtsResponse, RawTtsFailure, SplittingPreference, WordTiming, JobStatus } from '../../../core/api/types.ts';
import { LectorError } from '../../../core/errors.ts';
import { DEFAULT_MAX_CHARS, type SplitOptions } from '../../../core/text/options.ts';
import { err, ok, type Result } from '../../../core/result.ts';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isUnavailableStatus } from '../../../core/retry.ts';
import { DEFAULT_RAMP_CHUNKS, planJobChunks } from '../../../core/chunking.ts';
import { paginate } from '../../../core/pages.ts';
import { assertJobTextSize } from '../../../core/text/split.ts';
import { getTextCharacterCount } from '../../../core/text/count.ts';
import { chunkTimeoutMs } from '../../../core/timeouts.ts';
import { jobConfig, type JobConfig } from './config.ts';
import { EventHub } from './EventHub.ts';
import { DEFAULT_BREAKER, routerStub, type RouteOutcome } from '../router/RouterCounter.ts';
import { releaseJob } from '../security/quota.ts';
import { type ChunkLease, type Completion, JobStore, type NewChunk } from './JobStore.ts';

export interface InitializeJobParams {
  jobId: string;
  text: string;
  voiceId: string;
  model?: string | null;
  splittingPreference: SplittingPreference;
  maxTokens?: number;
  /** The voice's provider: most characters per chunk (backend `voiceLimits().maxChars`). */
  providerMaxChars?: number;
  /** The voice's provider: most chunks in flight (backend `voiceLimits().maxConcurrency`). */
  providerMaxConcurrency?: number;
  /** The API key that started the job (its usage slot is released when the job ends); null = open mode. */
  ownerKeyId?: string | null;
  /** Internal (tests, benchmarks): chunks in flight instead of JOB_CONCURRENCY. */
  concurrency?: number;
  /** Internal (tests, chaos runs): attempts per chunk instead of JOB_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Internal (tests): false leaves the job to be driven by hand through the lease RPCs. Default true. */
  autoStart?: boolean;
  /** Internal (tests, benchmarks): use this per-chunk timeout instead of the formula. */
  chunkTimeoutOverrideMs?: number;
}

export interface InitializedJob {
  jobId: string;
  status: JobStatus;
  totalSentences: number;
  overallOrchestratorTimeoutMs: number;
}

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
  text?: string;
  words?: WordTiming[];
}

export interface AudioPlan {
  jobId: string;
  status: JobStatus;
  total: number;
  chunks: AudioPlanChunk[];
}

/** Something a voice could read: a letter, digit, symbol or punctuation mark. */
const HAS_SPEAKABLE = /[\p{L}\p{N}\p{S}\p{P}]/u;

/** Longest job-wide hold after failures: RouterCounter's half-open delay. */
const HOLD_MAX_MS = DEFAULT_BREAKER.halfOpenAfterMs;

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export class TtsJobDurableObject extends DurableObject<Env> {
  private readonly store: JobStore;
  private readonly hub: EventHub;
  private readonly config: JobConfig;
  private deleting: Promise<number> | undefined;
  /** initializeJob calls waiting for the alarms to finish splitting a long text. */
  private readonly splitWaiters: (() => void)[] = [];
  /** Chunks in flight, across alarm invocations. */
  private readonly inflight = new Set<Promise<void>>();
  /** Breaker outcomes not yet reported. */
  private readonly outcomes: RouteOutcome[] = [];
  /** Pumps running now (an alarm's, at most one at a time in practice). */
  private pumping = 0;
  /** No new chunk is dispatched before this time (job-level backoff after failures: no retry storms). */
  private holdUntil = 0;
  /** Retryable failures in a row, across chunks; resets on a success. */
  private consecutiveFailures = 0;
  /** When the backend became unreachable (0 = reachable). */
  private outageSince = 0;
  /** Alarm invocations of this instance, for the benchmark. */
  private alarms = 0;
  /** Backend calls started by this instance, for the benchmark's per-chunk figures. */
  private backendCalls = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = jobConfig(env as unknown as Record<string, unknown>);
    this.store = new JobStore(ctx.storage);
    this.hub = new EventHub({
      store: this.store,
      bucket: env.TTS_AUDIO_BUCKET,
      chunkUrl: (jobId, index) => `/api/tts/${jobId}/chunks/${index}`,
      heartbeatMs: this.config.heartbeatMs,
    });
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
      if (this.store.job()) throw new LectorError('job_exists', 409, `job ${params.jobId} already exists`);
      assertJobTextSize(params.text);
      if (!HAS_SPEAKABLE.test(params.text)) throw new LectorError('empty_text', 400, 'text has nothing to speak');
      // A long text is split one page per alarm so no invocation spends more than a few ms of CPU.
      const pages = paginate(params.text);
      const first = this.planPage(pages[0]!.text, params.splittingPreference, params.maxTokens ?? null, params.providerMaxChars ?? null, params.chunkTimeoutOverrideMs ?? null, 0, false);
      if (pages.length === 1 && first.length === 0) throw new LectorError('empty_text', 400, 'text has nothing to speak');
      const now = Date.now();
      this.store.createJob(
        {
          jobId: params.jobId,
          voiceId: params.voiceId,
          model: params.model ?? null,
          splitting: params.splittingPreference,
          textChars: params.text.length,
          overallTimeoutMs: 0,
          concurrency: Math.min(params.concurrency ?? this.config.concurrency, params.providerMaxConcurrency ?? Infinity),
          maxAttempts: params.maxAttempts ?? this.config.maxAttempts,
          now,
          expiresAt: now + this.config.ttlSeconds * 1000,
          ownerKeyId: params.ownerKeyId ?? null,
          maxTokens: params.maxTokens ?? null,
          timeoutOverrideMs: params.chunkTimeoutOverrideMs ?? null,
          maxChars: params.providerMaxChars ?? null,
        },
        first,
        pages.slice(1),
      );
      if (params.autoStart === false) {
        while (this.splitNextPage()) {
          // Tests that drive leases by hand get the whole job at once.
        }
      } else {
        await this.ctx.storage.setAlarm(now);
        if (pages.length > 1) await this.splitDone();
      }
      const job = this.store.job()!;
      if (job.total === 0) {
        await this.deleteState();
        throw new LectorError('empty_text', 400, 'text has nothing to speak');
      }
      return ok({ jobId: params.jobId, status: job.status, totalSentences: job.total, overallOrchestratorTimeoutMs: job.overall_timeout_ms });
    } catch (e) {
      return failure(e);
    }
  }

  /** The chunks of one page of the job's text. */
  private planPage(text: string, splitting: SplittingPreference, maxTokens: number | null, maxChars: number | null, timeoutOverrideMs: number | null, chunksSoFar: number, continues: boolean): NewChunk[] {
    const splitOptions: SplitOptions = { preference: splitting };
    if (maxTokens !== null) splitOptions.maxTokens = maxTokens;
    if (maxChars !== null) splitOptions.maxChars = Math.min(maxChars, DEFAULT_MAX_CHARS);
    if (!HAS_SPEAKABLE.test(text)) return [];
    const pieces = planJobChunks(text, splitOptions, Math.max(0, DEFAULT_RAMP_CHUNKS - chunksSoFar));
    return pieces.map((p, i) => {
      const charCount = getTextCharacterCount(p.text);
      return { text: p.text, charCount, paragraphStart: i === 0 && continues ? false : p.paragraphStart, timeoutMs: timeoutOverrideMs ?? chunkTimeoutMs(charCount) };
    });
  }

  /** Splits the next waiting page; false when none is left. Wakes `splitDone` waiters at the end. */
  private splitNextPage(): boolean {
    const page = this.store.nextPage();
    if (!page) return false;
    const job = this.store.job()!;
    const chunks = this.planPage(page.text, job.splitting, job.max_tokens, job.max_chars, job.timeout_override_ms, job.total, page.continuesParagraph);
    this.store.appendPage(page.page, chunks, Date.now());
    if (!this.store.nextPage()) {
      for (const wake of this.splitWaiters.splice(0)) wake();
    }
    return true;
  }

  private splitDone(): Promise<void> {
    if (!this.store.nextPage()) return Promise.resolve();
    return new Promise((resolve) => this.splitWaiters.push(resolve));
  }

  /** Leases the next chunk (seed 001's shape). */
  async getNextSentenceToProcess(): Promise<SentenceToProcess> {
    const [lease] = this.leaseIfActive(1);
    if (!lease) return { done: true };
    return { done: false, sentence: lease.text, index: lease.index, attempt: lease.attempt, timeoutMs: lease.timeoutMs };
  }

  /** Batch form: leases up to `k` chunks. */
  async getNextSentencesToProcess(k: number): Promise<ChunkLease[]> {
    return this.leaseIfActive(Math.max(0, Math.min(100, Math.floor(k))));
  }

  async markSentenceAsProcessed(index: number, completion: Completion): Promise<{ changed: boolean; status: JobStatus | null }> {
    const changed = this.store.complete(index, completion, Date.now());
    if (changed) this.afterCompletion();
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
    return this.store.state(includeChunks);
  }

  async updateJobStatus(u: { status?: JobStatus; errorMessage?: string; sentenceIndexToFail?: number }): Promise<JobState | null> {
    const now = Date.now();
    if (u.sentenceIndexToFail !== undefined) this.store.failChunk(u.sentenceIndexToFail, u.errorMessage ?? 'failed by request', now);
    if (u.status) this.store.setJobStatus(u.status, u.errorMessage ?? null, now);
    const job = this.store.job();
    if (job && TERMINAL.has(job.status)) this.settled();
    return this.store.state(false);
  }

  /** Removes the job's audio from R2 and all its state. */
  async deleteState(): Promise<{ deleted: boolean; objects: number }> {
    // A concurrent second delete waits for the first and reports nothing deleted.
    if (this.deleting) {
      await this.deleting;
      return { deleted: false, objects: 0 };
    }
    const job = this.store.job();
    if (!job) return { deleted: false, objects: 0 };
    this.deleting = this.removeEverything(job.job_id);
    try {
      return { deleted: true, objects: await this.deleting };
    } finally {
      this.deleting = undefined;
    }
  }

  private async removeEverything(jobId: string): Promise<number> {
    this.store.setJobStatus('cancelled', 'deleted', Date.now());
    this.settled();
    const objects = await this.deleteAudio(jobId);
    this.hub.closeAll();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.ensureSchema();
    return objects;
  }

  /** This instance's counters (reset when the object restarts), for the benchmark. */
  async stats(): Promise<{ alarms: number; backendCalls: number; rowsWritten: number }> {
    return { alarms: this.alarms, backendCalls: this.backendCalls, rowsWritten: this.store.rowsWritten };
  }

  // ---- Streams ---------------------------------------------------------------

  /** `GET /events?from=N&inline=1&order=index|completion` — the job's SSE stream. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/events') return new Response('not found', { status: 404 });
    if (!this.store.job()) {
      return new LectorError('job_not_found', 404, 'no such job').toResponse();
    }
    const from = Number(url.searchParams.get('from') ?? '-1');
    const stream = this.hub.open({
      fromIndex: Number.isSafeInteger(from) ? from : -1,
      inline: url.searchParams.get('inline') === '1',
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

  override async alarm(): Promise<void> {
    this.alarms++;
    const job = this.store.job();
    if (!job) return;
    const now = Date.now();
    if (now >= job.expires_at) {
      await this.expire(job.job_id);
      return;
    }
    if (this.splitNextPage()) {
      // One page per invocation keeps its CPU bounded; the next alarm goes on.
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    if (!TERMINAL.has(job.status)) await this.pump();
    await this.schedule();
  }

  /** Keeps `concurrency` chunks in flight until this invocation's batch is spent. */
  /**
   * Keeps `concurrency` chunks in flight until this invocation's batch is
   * spent. It does not wait for the last chunks of a batch: they finish on
   * their own while the next alarm already dispatches, so the pipeline never
   * drains between alarms.
   */
  private async pump(): Promise<void> {
    this.pumping++;
    let dispatched = 0;
    try {
      for (;;) {
        const job = this.store.job();
        if (!job || TERMINAL.has(job.status) || dispatched >= this.config.maxChunksPerAlarm) break;
        const held = Date.now() < this.holdUntil;
        const room = held ? 0 : Math.min(job.concurrency - this.inflight.size, this.config.maxChunksPerAlarm - dispatched);
        const leases = this.store.lease(room, Date.now());
        if (leases.length > 0) {
          const routes = await routerStub(this.env).acquireMany(leases.length, Math.max(...leases.map((l) => l.timeoutMs)), await this.voiceBackends(job.voice_id));
          leases.forEach((lease, i) => {
            const route = routes[i]!;
            if ('wait' in route) {
              // Every backend's circuit is open: wait without spending an attempt.
              this.store.deferLease(lease.index, Date.now() + route.wait);
              return;
            }
            dispatched++;
            const p: Promise<void> = this.runChunk(job.job_id, job.voice_id, job.model, lease, route).finally(() => {
              this.inflight.delete(p);
              // A chunk that ends after its alarm returned must still wake the job.
              if (this.pumping === 0) void this.schedule().catch((e: unknown) => console.warn('reschedule failed', String(e)));
            });
            this.inflight.add(p);
            this.ctx.waitUntil(p);
          });
        }
        // Failures reach the breaker at once; successes may wait for a batch.
        if (this.outcomes.length >= 8 || this.outcomes.some((o) => !o.success)) this.flushOutcomes();
        if (this.inflight.size === 0) break;
        await Promise.race(this.inflight);
      }
    } finally {
      this.pumping--;
      this.flushOutcomes();
    }
  }

  /** Breaker outcomes go to RouterCounter in batches: one RPC per batch, not per chunk. */
  private flushOutcomes(): void {
    if (this.outcomes.length === 0) return;
    const batch = this.outcomes.splice(0);
    void routerStub(this.env).reportMany(batch).catch((e: unknown) => console.warn('router report failed', String(e)));
  }

  /** The backends RouterCounter may pick for this job's voice (its provider's), once per instance. */
  private voiceBackendsOnce: Promise<string[] | undefined> | undefined;
  private voiceBackends(voiceId: string): Promise<string[] | undefined> {
    this.voiceBackendsOnce ??= this.env.BACKEND.voiceLimits(voiceId).then(
      (l) => (l ? [...l.backends] : undefined),
      (e: unknown) => {
        console.warn('voiceLimits failed; routing over every backend', String(e));
        this.voiceBackendsOnce = undefined;
        return undefined;
      },
    );
    return this.voiceBackendsOnce;
  }

  private async runChunk(
    jobId: string,
    voiceId: string,
    model: string | null,
    lease: ChunkLease,
    route: { ticket: string; url: string },
  ): Promise<void> {
    const req: RawTtsRequest = { jobId, sentenceIndex: lease.index, text: lease.text, voiceId, timeoutMs: lease.timeoutMs };
    if (model) req.model = model;
    req.backendUrl = route.url;
    this.backendCalls++;
    const result = await this.callBackend(req, lease.timeoutMs);
    const now = Date.now();
    // Only failures that say something about the backend count against its circuit.
    this.outcomes.push({ ticket: route.ticket, success: !('error' in result && result.error.retryable) });
    if (this.pumping === 0) this.flushOutcomes();
    if ('r2Key' in result) {
      this.consecutiveFailures = 0;
      this.outageSince = 0;
      const completion: Completion = { r2Key: result.r2Key, mimeType: result.mimeType, bytes: result.bytes, durationMs: result.durationMs };
      if (result.words) completion.words = result.words;
      if (this.store.complete(lease.index, completion, now)) this.afterCompletion();
      return;
    }
    const e = result.error;
    const message = `${e.code}: ${e.message}${e.status ? ` (status ${e.status})` : ''}`;
    const job = this.store.job();
    if (e.retryable) {
      // Hold the whole job, not just this chunk, so a failing backend sees no storm. Failures of
      // chunks that were in flight together count once; the hold never exceeds the breaker's probe
      // delay, so the job tries again soon after the backend is back.
      if (now >= this.holdUntil) this.consecutiveFailures++;
      const hold = Math.min(HOLD_MAX_MS, backoffDelayMs(this.consecutiveFailures, DEFAULT_RETRY_POLICY, e.retryAfterMs));
      this.holdUntil = Math.max(this.holdUntil, now + hold);
    }
    const unavailable = e.retryable && isUnavailableStatus(e.status) && e.code !== 'timeout';
    if (unavailable) this.outageSince ||= now;
    if (unavailable && job && now - this.outageSince < this.config.maxOutageMs) {
      this.store.retryUnavailable(lease.index, message, this.holdUntil, now);
    } else if (e.retryable && job && lease.attempt < job.max_attempts) {
      const delay = backoffDelayMs(lease.attempt, { ...DEFAULT_RETRY_POLICY, maxAttempts: job.max_attempts }, e.retryAfterMs);
      this.store.retryLater(lease.index, message, Math.max(now + delay, this.holdUntil), now);
    } else {
      this.store.failChunk(lease.index, message, now);
      this.settled();
    }
  }

  private async callBackend(req: RawTtsRequest, timeoutMs: number): Promise<RawTtsResponse | RawTtsFailure> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<RawTtsFailure>((resolve) => {
      timer = setTimeout(
        () => resolve({ error: { code: 'timeout', message: `no answer within ${timeoutMs} ms`, status: 0, retryable: true } }),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.env.BACKEND.synthesize(req), timeout]);
    } catch (e) {
      return { error: { code: 'backend_unavailable', message: String(e), status: 0, retryable: true } };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private afterCompletion(): void {
    this.hub.chunkCompleted();
    const job = this.store.job();
    if (job && TERMINAL.has(job.status)) this.settled();
  }

  /** The job reached a terminal state: tell the streams and free the key's usage slot. */
  private settled(): void {
    this.hub.jobSettled();
    const job = this.store.job();
    if (job?.owner_key) {
      this.ctx.waitUntil(
        releaseJob(this.env, job.owner_key, job.job_id, true).catch((e: unknown) => console.warn('usage release failed', job.job_id, String(e))),
      );
    }
  }

  private leaseIfActive(k: number): ChunkLease[] {
    const job = this.store.job();
    if (!job || TERMINAL.has(job.status)) return [];
    return this.store.lease(k, Date.now());
  }

  /** One alarm slot serves both next work and expiry: set it to the earlier. */
  private async schedule(): Promise<void> {
    const job = this.store.job();
    if (!job) return;
    let at = job.expires_at;
    if (!TERMINAL.has(job.status)) {
      const next = this.store.nextWorkAt();
      if (next !== null) at = Math.min(at, Math.max(next, this.holdUntil, Date.now()));
    }
    await this.ctx.storage.setAlarm(at);
  }

  private async expire(jobId: string): Promise<void> {
    await this.deleteAudio(jobId);
    this.hub.closeAll();
    await this.ctx.storage.deleteAll();
    this.store.ensureSchema();
  }

  private async deleteAudio(jobId: string): Promise<number> {
    const bucket = this.env.TTS_AUDIO_BUCKET;
    let count = 0;
    let cursor: string | undefined;
    do {
      const list = await bucket.list({ prefix: `tts_audio/${jobId}/`, cursor, limit: 1000 });
      const keys = list.objects.map((o) => o.key);
      if (keys.length > 0) await bucket.delete(keys);
      count += keys.length;
      cursor = list.truncated ? list.cursor : undefined;
    } while (cursor);
    return count;
  }
}

function failure(e: unknown): { ok: false; error: import('../../../core/result.ts').WireError } {
  if (e instanceof LectorError) return err(e);
  console.error('TtsJobDurableObject: unexpected error', e);
  return err(new LectorError('internal', 500, 'internal error'));
}
