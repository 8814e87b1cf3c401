// Sends a job's chunks to the backend: keeps `concurrency` in flight, routes them
// over blocks of routes leased from RouterCounter (RouteBlocks), bounds each call
// by its timeout, and applies the retry decision (src/core/retry-decision.ts) to each answer.
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse } from '../../../core/api/types.ts';
import { wordsForShownText } from '../../../core/speech-plan.ts';
import { decideChunkAnswer, type HoldState, NO_HOLD } from '../../../core/retry-decision.ts';
import { DEFAULT_BREAKER, routerStub } from '../router/RouterCounter.ts';
import { type Route, RouteBlocks } from './RouteBlocks.ts';
import type { JobConfig } from './config.ts';
import { type JobEvents, TERMINAL } from './JobEvents.ts';
import type { ChunkLease, Completion, JobRow, JobStore } from './JobStore.ts';

/** Longest job-wide hold after failures: RouterCounter's half-open delay. */
const HOLD_MAX_MS = DEFAULT_BREAKER.halfOpenAfterMs;

/** A lease outlives its call's timeout by this much, so the timeout always ends the call first. */
export const LEASE_GRACE_MS = 2_000;
/** Routing slower than this after the lease moves the lease clock to the call's start (one row write). */
const LATE_CALL_MS = LEASE_GRACE_MS / 2;

export interface DispatcherDeps {
  store: JobStore;
  env: Env;
  config: JobConfig;
  events: JobEvents;
  /** Keeps the object alive until a chunk's call ends (`ctx.waitUntil`). */
  waitUntil(p: Promise<unknown>): void;
  /** A chunk ended while no pump runs: the job must set its next alarm. */
  onIdleSettle(): Promise<void>;
  /** The audio format the job's chunks are stored in (undefined: the provider's own). */
  chunkFormat?(): RawTtsRequest['format'];
}

export class ChunkDispatcher {
  private readonly d: DispatcherDeps;
  /** Chunks in flight, across alarm invocations. */
  private readonly inflight = new Set<Promise<void>>();
  /** Pumps running now (an alarm's, at most one at a time in practice). */
  private pumping = 0;
  /** Job-wide hold and outage clocks (see HoldState). */
  private hold: HoldState = NO_HOLD;
  /** Backend calls started by this instance, for the benchmark's per-chunk figures. */
  backendCalls = 0;
  /** A backend call of this instance has answered (or timed out): the first-call rule is over. */
  private answered = false;
  /** Chunks leased by a pump still waiting for their routes: they count as in flight for the limits. */
  private routing = 0;
  /** Routes leased from RouterCounter in blocks. */
  readonly routes: RouteBlocks;

  constructor(deps: DispatcherDeps) {
    this.d = deps;
    this.routes = new RouteBlocks(() => routerStub(deps.env));
  }

  /** A pump is running (an alarm's or one started outside it). */
  get running(): boolean {
    return this.pumping > 0;
  }

  /** No new chunk is dispatched before this time. */
  get holdUntil(): number {
    return this.hold.holdUntil;
  }

  /**
   * Keeps `concurrency` chunks in flight until this invocation's batch is
   * spent. It does not wait for the last chunks of a batch: they finish on
   * their own while the next alarm already dispatches, so the pipeline never
   * drains between alarms.
   */
  async pump(): Promise<void> {
    const { store, config } = this.d;
    this.pumping++;
    let dispatched = 0;
    try {
      for (;;) {
        const job = store.job();
        if (!job || TERMINAL.has(job.status) || dispatched >= config.maxChunksPerAlarm) break;
        const held = Date.now() < this.hold.holdUntil;
        const room = held ? 0 : Math.min(this.inFlightLimit(job) - this.inflight.size - this.routing, config.maxChunksPerAlarm - dispatched);
        const leasedAt = Date.now();
        const leases = store.lease(room, leasedAt, LEASE_GRACE_MS);
        if (leases.length > 0) {
          let routes: Route[];
          // Another pump (the alarm's beside the creating call's) may run while these wait for routes.
          this.routing += leases.length;
          try {
            routes = await this.routes.take(leases.length, Math.max(...leases.map((l) => l.timeoutMs)), await this.voiceBackends(job.voice_id));
          } catch (e) {
            // No call was made: the leases go back with their attempts, and the alarm retries.
            for (const lease of leases) store.deferLease(lease.index, lease.token, Date.now());
            throw e;
          } finally {
            this.routing -= leases.length;
          }
          leases.forEach((lease, i) => {
            const route = routes[i]!;
            if ('wait' in route) {
              // Every backend's circuit is open: wait without spending an attempt.
              store.deferLease(lease.index, lease.token, Date.now() + route.wait);
              return;
            }
            dispatched++;
            const p: Promise<void> = this.runChunk(job.job_id, job.voice_id, job.model, lease, route, leasedAt).finally(() => {
              this.inflight.delete(p);
              if (this.pumping === 0 && this.inflight.size === 0) this.routes.retire();
              // A chunk that ends after its alarm returned must still wake the job.
              if (this.pumping === 0) void this.d.onIdleSettle().catch((e: unknown) => console.warn('reschedule failed', String(e)));
            });
            this.inflight.add(p);
            this.d.waitUntil(p);
          });
        }
        if (this.inflight.size === 0) break;
        await Promise.race(this.inflight);
      }
    } finally {
      this.pumping--;
      // Nothing in flight: hand the block back rather than let it lapse unreported.
      if (this.inflight.size === 0) this.routes.retire();
    }
  }

  /**
   * Chunks a job keeps in flight: one while its first call is out and no chunk is done yet, so
   * the first audio does not share the machine with the next chunks' synthesis; then the job's
   * concurrency. Any answer ends the rule, a failure or timeout too: a first chunk that hangs
   * holds the others back for one call's timeout at most.
   */
  private inFlightLimit(job: Pick<JobRow, 'processed_count' | 'concurrency'>): number {
    return job.processed_count === 0 && !this.answered ? 1 : job.concurrency;
  }

  /** The backends RouterCounter may pick for this job's voice (its provider's), once per instance. */
  private voiceBackendsOnce: Promise<string[] | undefined> | undefined;
  private voiceBackends(voiceId: string): Promise<string[] | undefined> {
    this.voiceBackendsOnce ??= this.d.env.BACKEND.voiceLimits(voiceId).then(
      (l) => (l ? [...l.backends] : undefined),
      (e: unknown) => {
        console.warn('voiceLimits failed; routing over every backend', String(e));
        this.voiceBackendsOnce = undefined;
        return undefined;
      },
    );
    return this.voiceBackendsOnce;
  }

  private async runChunk(jobId: string, voiceId: string, model: string | null, lease: ChunkLease, route: Extract<Route, { block: string }>, leasedAt: number): Promise<void> {
    const req: RawTtsRequest = { jobId, sentenceIndex: lease.index, text: lease.text, voiceId, timeoutMs: lease.timeoutMs };
    if (model) req.model = model;
    if (lease.speed !== undefined) req.speed = lease.speed;
    req.backendUrl = route.url;
    const format = this.d.chunkFormat?.();
    if (format) req.format = format;
    // Chunk 0's bytes come back with its answer, for its event (EventHub, inline=first).
    if (lease.index === 0) req.returnAudio = true;
    this.backendCalls++;
    // The lease must outlast the call's timeout, counted from the call's start.
    const callStart = Date.now();
    if (callStart - leasedAt > LATE_CALL_MS) this.d.store.startCall(lease.index, lease.token, lease.timeoutMs, LEASE_GRACE_MS, callStart);
    const result = await this.callBackend(req, lease.timeoutMs);
    this.answered = true;
    // Only failures that say something about the backend count against its circuit.
    this.routes.settle(route, !('error' in result && result.error.retryable));
    this.applyAnswer(lease, result, Date.now());
  }

  /**
   * Records one call's answer on the chunk's row, as the retry decision says. Every write is
   * conditioned on the lease's token: the late answer of a lease handed out again changes nothing.
   */
  applyAnswer(lease: ChunkLease, result: RawTtsResponse | RawTtsFailure, now: number): void {
    const { store, events } = this.d;
    const job = store.job();
    if (!job) return; // deleted meanwhile
    const failure = 'error' in result ? result.error : null;
    const { decision, state } = decideChunkAnswer(
      { failure, attempt: lease.attempt, maxAttempts: job.max_attempts, now },
      this.hold,
      { holdMaxMs: HOLD_MAX_MS, maxOutageMs: this.d.config.maxOutageMs },
    );
    this.hold = state;
    if ('r2Key' in result) {
      const completion: Completion = { r2Key: result.r2Key, mimeType: result.mimeType, bytes: result.bytes, durationMs: result.durationMs };
      // Timings of a chunk read from its `speak` form point back at the shown words.
      if (result.words) completion.words = lease.shown !== undefined ? wordsForShownText(lease.shown, result.words) : result.words;
      if (store.complete(lease.index, completion, now, lease.token)) events.chunkCompleted(lease.index, result.audio);
      return;
    }
    const e = result.error;
    const message = `${e.code}: ${e.message}${e.status ? ` (status ${e.status})` : ''}`;
    switch (decision.kind) {
      case 'retry-unavailable':
        store.retryUnavailable(lease.index, lease.token, message, decision.notBefore, now);
        break;
      case 'retry-later':
        store.retryLater(lease.index, lease.token, message, decision.notBefore, now);
        break;
      default:
        store.failChunk(lease.index, message, now, lease.token);
        events.settledIfTerminal();
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
      return await Promise.race([this.d.env.BACKEND.synthesize(req), timeout]);
    } catch (e) {
      return { error: { code: 'backend_unavailable', message: String(e), status: 0, retryable: true } };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
