// Dispatcher: the priority queue of pending syntheses, the pump that hands
// them to workers chosen by the balancer through each worker's breaker, the
// retry on another worker after a worker fault, and the answer to the caller.

import type { TTSManagerConfig } from '../config.ts';
import { joinParts } from '../engines/engine.ts';
import type { SynthMetrics } from '../metrics.ts';
import { WorkerState, type Priority, type SynthesisResult } from '../types.ts';
import type { CatalogVoice } from '../voices.ts';
import type { Balancer } from './balancer.ts';
import { PoolError } from './errors.ts';
import type { PendingSynthesis } from './pending-synthesis.ts';
import { isServing, type PoolMember } from './pool-member.ts';
import { PriorityQueue } from './queue.ts';
import { LatencyWindow, round } from './stats.ts';
import type { PoolSupervisor } from './supervisor.ts';

export interface DispatcherHooks {
  log: (line: string) => void;
  metrics: () => SynthMetrics;
  /** False once the service stopped. */
  running: () => boolean;
}

/** What the caller asked for, validated and with its voice resolved. */
export interface AcceptedRequest {
  text: string;
  voice: CatalogVoice;
  speed?: number;
  priority: Priority;
  correlationId?: string;
  signal?: AbortSignal;
  submittedAt: number;
}

let requestCounter = 0;

export class Dispatcher {
  readonly queue = new PriorityQueue<PendingSynthesis>();
  readonly latency = new LatencyWindow();
  readonly totals = { requests: 0, failures: 0, retries: 0 };
  private readonly config: TTSManagerConfig;
  private readonly supervisor: PoolSupervisor;
  private readonly balancer: Balancer;
  private readonly hooks: DispatcherHooks;

  constructor(config: TTSManagerConfig, supervisor: PoolSupervisor, balancer: Balancer, hooks: DispatcherHooks) {
    this.config = config;
    this.supervisor = supervisor;
    this.balancer = balancer;
    this.hooks = hooks;
  }

  /** Queues a request, or rejects it at once (queue full, nothing can serve the voice). Returns true when queued. */
  submit(request: AcceptedRequest, resolve: (r: SynthesisResult) => void, reject: (e: Error) => void): boolean {
    if (this.queue.size >= this.config.queue.maxSize) {
      this.totals.failures++;
      this.hooks.metrics().requests.inc({ outcome: 'rejected' });
      reject(new PoolError('queue_full', `queue is full (${this.config.queue.maxSize} requests)`, { retryAfterSeconds: 1 }));
      return false;
    }
    const unavailable = this.unavailableFor(request.voice.id);
    if (unavailable) {
      this.totals.failures++;
      this.hooks.metrics().requests.inc({ outcome: 'rejected' });
      reject(unavailable);
      return false;
    }
    const n = ++requestCounter;
    const pending: PendingSynthesis = {
      id: `synthesis-${n}`,
      correlationId: request.correlationId ?? `req-${Date.now().toString(36)}-${n}`,
      text: request.text,
      voice: request.voice,
      priority: request.priority,
      submittedAt: request.submittedAt,
      enqueuedAt: performance.now(),
      attempts: 0,
      retries: 0,
      exclude: new Set(),
      resolve,
      reject,
      done: false,
      timer: undefined,
    };
    if (request.speed !== undefined) pending.speed = request.speed;
    if (request.signal) {
      if (request.signal.aborted) {
        reject(new PoolError('cancelled', 'request cancelled'));
        return false;
      }
      pending.signal = request.signal;
      pending.onAbort = () => this.fail(pending, new PoolError('cancelled', 'request cancelled'));
      request.signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    pending.timer = setTimeout(
      () => this.fail(pending, new PoolError('queue_timeout', `no worker took the request within ${this.config.queue.timeoutMs} ms`, { retryAfterSeconds: 1 })),
      this.config.queue.timeoutMs,
    );
    pending.timer.unref?.();
    this.queue.push(pending);
    this.pump();
    return true;
  }

  /** Hands queued requests to free workers, in priority order. */
  pump(): void {
    if (!this.hooks.running() || this.queue.size === 0) return;
    const now = Date.now();
    for (const pending of [...this.queue]) {
      if (!this.hasFreeWorker()) return;
      const candidates = this.candidatesFor(pending, now);
      if (candidates.length === 0) continue;
      const chosen = this.balancer({ voiceId: pending.voice.id, priority: pending.priority }, candidates);
      if (!chosen) continue;
      this.queue.remove(pending);
      void this.run(pending, chosen);
    }
  }

  /** Fails every queued request (shutdown). */
  failQueued(error: Error): void {
    for (const pending of [...this.queue]) this.fail(pending, error);
  }

  private candidatesFor(pending: PendingSynthesis, now: number): PoolMember[] {
    const serving = this.supervisor
      .all()
      .filter((m) => isServing(m.worker.state) && !m.recycle && m.worker.serves(pending.voice.id) && m.breaker.admits(now));
    const fresh = serving.filter((m) => !pending.exclude.has(m.id));
    return fresh.length > 0 ? fresh : this.othersStarting(pending) ? [] : serving;
  }

  private hasFreeWorker(): boolean {
    for (const m of this.supervisor.members.values()) if (isServing(m.worker.state) && !m.recycle && m.worker.inFlight < m.worker.capacity) return true;
    return false;
  }

  private othersStarting(pending: PendingSynthesis): boolean {
    return this.supervisor.all().some((m) => m.worker.state === WorkerState.INITIALIZING && !pending.exclude.has(m.id));
  }

  private async run(pending: PendingSynthesis, member: PoolMember): Promise<void> {
    const worker = member.worker;
    pending.attempts++;
    const t0 = performance.now();
    try {
      const audio = await member.breaker.execute((signal) =>
        worker.synthesize(
          {
            text: pending.text,
            voice: pending.voice.id,
            ...(pending.speed !== undefined ? { speed: pending.speed } : {}),
            priority: pending.priority,
            correlationId: pending.correlationId,
            retryCount: pending.retries,
          },
          signal,
        ),
        requestTimeoutMs(this.config.circuitBreaker.timeoutMs, pending.text.length, pending.speed),
      );
      const ms = performance.now() - t0;
      member.outcomes.record(true, ms);
      member.lastOkAt = Date.now();
      this.succeed(pending, withJoinedPcm({
        pcmParts: audio.pcmParts,
        pcmBytes: audio.pcmBytes,
        sampleRate: audio.sampleRate,
        durationMs: Math.round((audio.pcmBytes / 2 / audio.sampleRate) * 1000),
        engine: audio.engine,
        voice: pending.voice.id,
        words: audio.words,
        workerId: member.id,
        attempts: pending.attempts,
        queuedMs: round(t0 - pending.enqueuedAt),
        engineMs: round(audio.synthMs),
        latencyMs: 0,
      }));
    } catch (err) {
      this.onAttemptFailed(pending, member, err instanceof Error ? err : new Error(String(err)), t0);
    } finally {
      this.supervisor.checkRecycle(member);
      this.pump();
      this.supervisor.ensureCapacity();
    }
  }

  /** A worker fault is retried on another worker within the retry budget; anything else fails the request. */
  private onAttemptFailed(pending: PendingSynthesis, member: PoolMember, error: Error, t0: number): void {
    const fault = error instanceof PoolError && error.retryable;
    if (fault && error.code !== 'circuit_open') member.outcomes.record(false, performance.now() - t0);
    if (error instanceof PoolError && error.code === 'worker_timeout') this.supervisor.restart(member, 'timeout');
    const budget = error instanceof PoolError && error.code === 'worker_crashed' ? this.config.maxCrashRetries : this.config.maxRetries;
    if (fault && !pending.done && pending.retries < budget && this.hooks.running()) {
      // A circuit that opened between choice and call is not the request's fault: no retry spent.
      if (error.code !== 'circuit_open') {
        pending.retries++;
        this.totals.retries++;
        this.hooks.metrics().retries.inc();
        this.hooks.log(`[${member.id}] ${error.message}; retrying ${pending.correlationId} on another worker`);
      }
      pending.exclude.add(member.id);
      this.queue.unshift(pending);
    } else {
      this.fail(pending, error);
    }
  }

  private succeed(pending: PendingSynthesis, result: SynthesisResult): void {
    if (pending.done) return;
    this.settle(pending);
    const latencyMs = performance.now() - pending.submittedAt;
    result.latencyMs = round(latencyMs);
    this.totals.requests++;
    this.latency.record(latencyMs);
    this.hooks.metrics().requests.inc({ outcome: 'success' });
    this.hooks.metrics().latency.observe({ outcome: 'success' }, latencyMs / 1000);
    pending.resolve(result);
  }

  private fail(pending: PendingSynthesis, error: Error): void {
    if (pending.done) return;
    this.settle(pending);
    this.queue.remove(pending);
    this.totals.requests++;
    this.totals.failures++;
    this.hooks.metrics().requests.inc({ outcome: 'failure' });
    this.hooks.metrics().latency.observe({ outcome: 'failure' }, (performance.now() - pending.submittedAt) / 1000);
    pending.reject(error);
  }

  private settle(pending: PendingSynthesis): void {
    pending.done = true;
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
  }

  /** A PoolError when nothing can serve `voiceId` soon (all breakers open, no worker starting). */
  private unavailableFor(voiceId: string): PoolError | null {
    const now = Date.now();
    const relevant = this.supervisor.all().filter((m) => m.worker.alive && (m.worker.serves(voiceId) || m.worker.state === WorkerState.INITIALIZING));
    if (relevant.length === 0) {
      return this.supervisor.templateFor(voiceId) && this.supervisor.liveMembers().length < this.config.workerPool.maxWorkers
        ? null
        : new PoolError('no_worker', 'no worker can serve this voice right now', { retryAfterSeconds: 1 });
    }
    if (relevant.some((m) => m.worker.state === WorkerState.INITIALIZING || m.breaker.admits(now) || m.breaker.state === 'half_open')) return null;
    const wait = Math.min(...relevant.map((m) => m.breaker.msUntilHalfOpen(now)));
    return new PoolError('no_worker', 'every worker for this voice has an open circuit breaker', { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) });
  }
}

/**
 * Adds `pcm`, joined from `pcmParts` on first read: the HTTP app writes the
 * parts and never joins a WAV or PCM answer; library callers read `pcm` as before.
 */
function withJoinedPcm(result: Omit<SynthesisResult, 'pcm'>): SynthesisResult {
  let joined: Uint8Array | undefined;
  return Object.defineProperty(result, 'pcm', {
    enumerable: true,
    get: (): Uint8Array => (joined ??= joinParts(result.pcmParts)),
  }) as SynthesisResult;
}

/**
 * A request's timeout grows with its text beyond 250 characters (and with slow speeds): a
 * 1,000-character chunk (src/core/chunking.ts) is four times the work of the 250 the configured
 * timeout was set for, and on a loaded machine must not be taken for a hung worker and restarted.
 */
export function requestTimeoutMs(baseMs: number, chars: number, speed = 1): number {
  const perChar = baseMs / 250;
  return Math.round(Math.max(baseMs, perChar * chars) / Math.min(1, Math.max(0.25, speed)));
}
