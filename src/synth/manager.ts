// TTSManager (seed 004): a pool of engine worker processes behind one
// `ITTSService`. Queues requests by priority, routes them with a pluggable
// balancer, wraps each worker in a circuit breaker and a timeout, retries a
// worker fault once on another worker, scales between min and max workers,
// recycles and health-checks workers, and reports status and metrics.

import { cpuUsage, memoryUsage } from 'node:process';
import { resolveConfig, type TTSManagerConfig, type TTSManagerOptions } from './config.ts';
import { SynthMetrics } from './metrics.ts';
import { createBalancer, type Balancer, type BalancerCandidate } from './pool/balancer.ts';
import { WorkerBreaker } from './pool/breaker.ts';
import type { SpawnFn } from './pool/child.ts';
import { EngineWorker, type WorkerTemplate } from './pool/engine-worker.ts';
import { HealthMonitor } from './pool/health-monitor.ts';
import { PoolError } from './pool/errors.ts';
import { PriorityQueue } from './pool/queue.ts';
import { healthScore, LatencyWindow, OutcomeWindow } from './pool/stats.ts';
import { WorkerState, type BreakerStateName, type Priority, type ServiceStatus, type SynthesisRequest, type SynthesisResult, type SystemMetrics, type WorkerStatus } from './types.ts';
import { VoiceCatalog, type CatalogVoice } from './voices.ts';

/** The seed's service contract. */
export interface ITTSService {
  initialize(config?: TTSManagerOptions): Promise<void>;
  synthesize(request: SynthesisRequest): Promise<SynthesisResult>;
  getStatus(): ServiceStatus;
  shutdown(): Promise<void>;
}

export interface TTSManagerDeps {
  /** Process spawner (tests pass a fake child process). */
  spawn?: SpawnFn;
  /** Log sink for worker stderr and pool events (default: stderr). */
  log?: (line: string) => void;
}

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;

interface Job {
  id: string;
  correlationId: string;
  text: string;
  voice: CatalogVoice;
  speed: number;
  priority: Priority;
  submittedAt: number;
  enqueuedAt: number;
  attempts: number;
  retries: number;
  exclude: Set<string>;
  resolve: (r: SynthesisResult) => void;
  reject: (e: Error) => void;
  done: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A worker plus what the manager tracks about it. */
interface Member extends BalancerCandidate {
  worker: EngineWorker;
  breaker: WorkerBreaker;
  outcomes: OutcomeWindow;
  healthFailures: number;
  lastOkAt: number;
  recycle: boolean;
  restarts: number;
}

let jobCounter = 0;

export class TTSManager implements ITTSService {
  private config!: TTSManagerConfig;
  private readonly deps: { spawn?: SpawnFn; log: (line: string) => void };
  private balancer!: Balancer;
  private readonly members = new Map<string, Member>();
  private readonly queue = new PriorityQueue<Job>();
  private readonly catalog = new VoiceCatalog();
  private readonly latency = new LatencyWindow();
  private metricsImpl: SynthMetrics | undefined;
  private state: ServiceStatus['state'] = 'stopped';
  private startedAt = Date.now();
  private workerCounter = 0;
  private readonly restartTimes: number[] = [];
  private health: HealthMonitor<Member> | undefined;
  private scaleTimer: ReturnType<typeof setInterval> | undefined;
  private pendingRestart: ReturnType<typeof setTimeout> | undefined;
  private totals = { requests: 0, failures: 0, retries: 0 };
  private cpuSample = { at: performance.now(), usage: cpuUsage() };
  private cpuFraction = 0;
  private readonly initialOptions: TTSManagerOptions | undefined;

  constructor(options?: TTSManagerOptions, deps: TTSManagerDeps = {}) {
    this.initialOptions = options;
    this.deps = { spawn: deps.spawn, log: deps.log ?? ((line) => process.stderr.write(`${line}\n`)) };
  }

  get metrics(): SynthMetrics {
    this.metricsImpl ??= new SynthMetrics(() => this.getStatus());
    return this.metricsImpl;
  }

  /** Voices the pool can serve (known once workers have started). */
  voices(): CatalogVoice[] {
    return this.catalog.list();
  }

  resolveVoice(name: string): CatalogVoice | null {
    return this.catalog.resolve(name);
  }

  voiceExamples(): string[] {
    return this.catalog.examples();
  }

  get resolvedConfig(): TTSManagerConfig {
    return this.config;
  }

  async initialize(options?: TTSManagerOptions): Promise<void> {
    if (this.state !== 'stopped') throw new Error('TTSManager already initialized');
    this.config = resolveConfig(options ?? this.initialOptions);
    this.balancer = createBalancer({ strategy: this.config.loadBalancing.strategy });
    this.state = 'starting';
    this.startedAt = Date.now();
    const pool = this.config.workerPool;
    const templates = pool.templates;
    const initial = Math.min(pool.maxWorkers, Math.max(pool.minWorkers, templates.length));
    const starts: Promise<unknown>[] = [];
    for (let i = 0; i < initial; i++) starts.push(this.spawnWorker(templates[i % templates.length]!).catch(() => undefined));
    await Promise.all(starts);
    if (![...this.members.values()].some((m) => isServing(m.worker.state))) {
      await this.shutdown();
      throw new PoolError('no_worker', 'no engine worker could be started');
    }
    this.state = 'ready';
    this.health = new HealthMonitor<Member>(this.config.health, {
      targets: () => this.members.values(),
      onPass: (m, recovered) => {
        if (recovered) this.pump();
        this.checkRecycle(m);
      },
      onRestart: (m) => this.restart(m, 'health'),
      log: this.deps.log,
    });
    this.health.start();
    this.scaleTimer = setInterval(() => this.tick(), pool.scaleCheckIntervalMs);
    this.scaleTimer.unref();
  }

  synthesize(request: SynthesisRequest): Promise<SynthesisResult> {
    const submittedAt = performance.now();
    return new Promise<SynthesisResult>((resolve, reject) => {
      if (this.state !== 'ready' && this.state !== 'degraded') {
        reject(new PoolError('shutting_down', `synthesis service is ${this.state}`, { retryAfterSeconds: 1 }));
        return;
      }
      if (typeof request.text !== 'string' || request.text.trim().length === 0) {
        reject(new TypeError('text must be a non-empty string'));
        return;
      }
      const speed = request.speed ?? 1;
      if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
        reject(new RangeError(`speed must be between ${MIN_SPEED} and ${MAX_SPEED}`));
        return;
      }
      const voice = this.catalog.resolve(request.voice);
      if (!voice) {
        reject(new PoolError('unknown_voice', `unknown voice ${JSON.stringify(request.voice)}; try one of ${this.catalog.examples().join(', ')}`));
        return;
      }
      if (this.queue.size >= this.config.queue.maxSize) {
        this.totals.failures++;
        this.metrics.requests.inc({ outcome: 'rejected' });
        reject(new PoolError('queue_full', `queue is full (${this.config.queue.maxSize} requests)`, { retryAfterSeconds: 1 }));
        return;
      }
      const unavailable = this.unavailableFor(voice.id);
      if (unavailable) {
        this.totals.failures++;
        this.metrics.requests.inc({ outcome: 'rejected' });
        reject(unavailable);
        return;
      }
      const job: Job = {
        id: `job-${++jobCounter}`,
        correlationId: request.correlationId ?? `req-${Date.now().toString(36)}-${jobCounter}`,
        text: request.text,
        voice,
        speed,
        priority: request.priority ?? 'normal',
        submittedAt,
        enqueuedAt: performance.now(),
        attempts: 0,
        retries: 0,
        exclude: new Set(),
        resolve,
        reject,
        done: false,
        timer: undefined,
        signal: request.signal,
      };
      if (request.signal) {
        if (request.signal.aborted) {
          reject(new PoolError('cancelled', 'request cancelled'));
          return;
        }
        job.onAbort = () => this.fail(job, new PoolError('cancelled', 'request cancelled'));
        request.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      job.timer = setTimeout(
        () => this.fail(job, new PoolError('queue_timeout', `no worker took the request within ${this.config.queue.timeoutMs} ms`, { retryAfterSeconds: 1 })),
        this.config.queue.timeoutMs,
      );
      job.timer.unref?.();
      this.queue.push(job);
      this.pump();
      this.scale();
    });
  }

  getStatus(): ServiceStatus {
    const now = Date.now();
    const workers = [...this.members.values()].map((m) => this.workerStatus(m, now));
    const active = workers.filter((w) => w.state === WorkerState.READY || w.state === WorkerState.BUSY).length;
    const order: BreakerStateName[] = ['closed', 'half_open', 'open', 'isolated'];
    const worst = workers.reduce<BreakerStateName>((acc, w) => (order.indexOf(w.breaker) > order.indexOf(acc) ? w.breaker : acc), 'closed');
    const done = this.totals.requests;
    const metrics: SystemMetrics = {
      averageLatency: round(this.latency.mean()),
      p50Latency: round(this.latency.percentile(50)),
      p95Latency: round(this.latency.percentile(95)),
      p99Latency: round(this.latency.percentile(99)),
      requestsPerSecond: round(this.latency.perSecond()),
      queueDepth: this.queue.size,
      successRate: done === 0 ? 1 : round((done - this.totals.failures) / done, 4),
      circuitBreakerState: worst,
      workerHealth: workers.map((w) => w.healthScore),
      memoryUsage: memoryUsage.rss() + workers.reduce((s, w) => s + (w.rssBytes ?? 0), 0),
      cpuUsage: this.sampleCpu(),
      activeWorkers: active,
      totalRequests: done,
      failedRequests: this.totals.failures,
      retriedRequests: this.totals.retries,
    };
    let state = this.state;
    if (state === 'ready' || state === 'degraded') state = active === 0 ? 'unavailable' : worst === 'closed' ? 'ready' : 'degraded';
    return {
      state,
      uptimeMs: now - this.startedAt,
      strategy: this.config?.loadBalancing.strategy ?? 'weighted',
      queue: {
        depth: this.queue.size,
        byPriority: { high: this.queue.sizeOf('high'), normal: this.queue.sizeOf('normal'), low: this.queue.sizeOf('low') },
        capacity: this.config?.queue.maxSize ?? 0,
      },
      workers,
      metrics,
    };
  }

  /** True while at least one worker is READY or BUSY. */
  isReady(): boolean {
    return [...this.members.values()].some((m) => isServing(m.worker.state));
  }

  async shutdown(): Promise<void> {
    if (this.state === 'stopped' && this.members.size === 0) return;
    this.state = 'stopped';
    this.health?.stop();
    clearInterval(this.scaleTimer);
    clearTimeout(this.pendingRestart);
    for (const job of [...this.queue]) this.fail(job, new PoolError('shutting_down', 'synthesis service is shutting down', { retryAfterSeconds: 1 }));
    const pool = this.config?.workerPool;
    await Promise.all([...this.members.values()].map((m) => m.worker.stop(pool?.drainTimeoutMs ?? 0, pool?.killTimeoutMs ?? 1000)));
    this.members.clear();
  }

  // ---- Workers -------------------------------------------------------------

  private async spawnWorker(template: WorkerTemplate, preload?: string[]): Promise<Member> {
    const pool = this.config.workerPool;
    const id = `worker-${++this.workerCounter}`;
    const tpl = preload && preload.length > 0 ? { ...template, preload: [...new Set([...(template.preload ?? []), ...preload])] } : template;
    const worker = new EngineWorker(id, tpl, {
      handshakeTimeoutMs: pool.handshakeTimeoutMs,
      startupTimeoutMs: pool.startupTimeoutMs,
      concurrency: pool.workerConcurrency,
      log: this.deps.log,
      ...(this.deps.spawn ? { spawn: this.deps.spawn } : {}),
    });
    const breaker = new WorkerBreaker(this.config.circuitBreaker);
    const outcomes = new OutcomeWindow();
    const member: Member = {
      id,
      worker,
      breaker,
      outcomes,
      healthFailures: 0,
      lastOkAt: Date.now(),
      recycle: false,
      restarts: 0,
      get inFlight() {
        return worker.inFlight;
      },
      get capacity() {
        return worker.capacity;
      },
      get avgResponseMs() {
        return outcomes.avgResponseMs;
      },
      get successRate() {
        return outcomes.successRate;
      },
      hasModel: (voiceId) => worker.models.has(voiceId),
    };
    breaker.onStateChange((s) => {
      this.deps.log(`[${id}] circuit breaker ${s}`);
      if (s !== 'open') this.pump();
    });
    this.members.set(id, member);
    worker.onExit(() => this.onWorkerExit(member));
    try {
      await worker.start();
    } catch (error) {
      this.deps.log(`[${id}] failed to start: ${(error as Error).message}`);
      worker.kill('SIGKILL');
      this.members.delete(id);
      throw error;
    }
    if (!worker.alive) {
      this.members.delete(id);
      throw new PoolError('handshake_failed', `worker ${id} exited during start-up`);
    }
    for (const v of worker.voices) this.catalog.add(v);
    this.deps.log(`[${id}] ready (pid ${worker.pid}, protocol ${worker.protocol}, ${worker.voices.length} voices, template ${template.name})`);
    this.pump();
    return member;
  }

  private onWorkerExit(member: Member): void {
    const w = member.worker;
    const expected = member.recycle || this.state === 'stopped';
    if (!this.members.has(member.id)) return;
    this.members.delete(member.id);
    if (this.state === 'stopped') return;
    if (!expected) {
      this.deps.log(`[${member.id}] exited unexpectedly (code ${w.exitCode}, signal ${w.exitSignal})`);
      this.metrics.restarts.inc({ reason: 'crash' });
    }
    this.ensureCapacity();
    this.pump();
  }

  /** Keeps at least `minWorkers` (and one per template) alive, within the restart budget. */
  private ensureCapacity(): void {
    if (this.state === 'stopped') return;
    const pool = this.config.workerPool;
    const live = this.liveMembers();
    for (const template of pool.templates) {
      const has = live.some((m) => m.worker.template.name === template.name);
      if (!has) this.startReplacement(template);
    }
    const missing = Math.max(0, pool.minWorkers - this.liveMembers().length);
    for (let i = 0; i < missing; i++) this.startReplacement(pool.templates[0]!);
    // Queued jobs whose voice nothing alive can serve.
    for (const job of this.queue) {
      if (!this.liveMembers().some((m) => m.worker.serves(job.voice.id) || m.worker.state === WorkerState.INITIALIZING)) {
        const t = this.templateFor(job.voice.id);
        if (t) this.startReplacement(t, [job.voice.id]);
      }
    }
  }

  private startReplacement(template: WorkerTemplate, preload?: string[]): void {
    if (this.liveMembers().length >= this.config.workerPool.maxWorkers) return;
    const now = Date.now();
    while (this.restartTimes.length > 0 && this.restartTimes[0]! < now - 60_000) this.restartTimes.shift();
    if (this.restartTimes.length >= this.config.workerPool.maxRestartsPerMinute) {
      if (!this.pendingRestart) {
        const wait = this.restartTimes[0]! + 60_000 - now;
        this.deps.log(`restart budget spent: next worker start in ${wait} ms`);
        this.pendingRestart = setTimeout(() => {
          this.pendingRestart = undefined;
          this.ensureCapacity();
        }, wait);
        this.pendingRestart.unref();
      }
      return;
    }
    this.restartTimes.push(now);
    void this.spawnWorker(template, preload).catch(() => {
      // Logged in spawnWorker; try again within the budget.
      setTimeout(() => this.ensureCapacity(), 200).unref();
    });
  }

  private liveMembers(): Member[] {
    return [...this.members.values()].filter((m) => m.worker.alive && m.worker.state !== WorkerState.SHUTTING_DOWN);
  }

  private templateFor(voiceId: string): WorkerTemplate | undefined {
    const templates = this.config.workerPool.templates;
    for (const m of this.members.values()) if (m.worker.serves(voiceId)) return m.worker.template;
    return templates.find((t) => t.voices?.some((v) => v.id === voiceId)) ?? templates.find((t) => t.name === 'builtin') ?? templates[0];
  }

  /** Stops a worker gracefully and starts a fresh one in its place. */
  private recycle(member: Member, reason: string): void {
    if (member.recycle) return;
    member.recycle = true;
    member.worker.setState(WorkerState.SHUTTING_DOWN);
    this.deps.log(`[${member.id}] recycling: ${reason}`);
    this.metrics.restarts.inc({ reason });
    void member.worker.stop(this.config.workerPool.drainTimeoutMs, this.config.workerPool.killTimeoutMs);
    this.ensureCapacity();
  }

  /** Hard restart of a stuck or unhealthy worker. */
  private restart(member: Member, reason: string): void {
    if (member.recycle) return;
    member.recycle = true;
    this.deps.log(`[${member.id}] restarting: ${reason}`);
    this.metrics.restarts.inc({ reason });
    member.worker.setState(WorkerState.SHUTTING_DOWN);
    void member.worker.stop(0, this.config.workerPool.killTimeoutMs);
    this.ensureCapacity();
  }

  // ---- Dispatch ------------------------------------------------------------

  private candidatesFor(job: Job, now: number): Member[] {
    const serving = [...this.members.values()].filter(
      (m) => isServing(m.worker.state) && !m.recycle && m.worker.serves(job.voice.id) && m.breaker.admits(now),
    );
    const fresh = serving.filter((m) => !job.exclude.has(m.id));
    return fresh.length > 0 ? fresh : this.othersStarting(job) ? [] : serving;
  }

  private hasFreeWorker(): boolean {
    for (const m of this.members.values()) if (isServing(m.worker.state) && !m.recycle && m.worker.inFlight < m.worker.capacity) return true;
    return false;
  }

  private othersStarting(job: Job): boolean {
    return [...this.members.values()].some((m) => m.worker.state === WorkerState.INITIALIZING && !job.exclude.has(m.id));
  }

  private pump(): void {
    if (this.state === 'stopped' || this.queue.size === 0) return;
    const now = Date.now();
    for (const job of [...this.queue]) {
      if (!this.hasFreeWorker()) return;
      const candidates = this.candidatesFor(job, now);
      if (candidates.length === 0) continue;
      const chosen = this.balancer({ voiceId: job.voice.id, priority: job.priority }, candidates);
      if (!chosen) continue;
      this.queue.remove(job);
      void this.run(job, chosen);
    }
  }

  private async run(job: Job, member: Member): Promise<void> {
    const worker = member.worker;
    job.attempts++;
    worker.setState(WorkerState.BUSY);
    const t0 = performance.now();
    try {
      const audio = await member.breaker.execute((signal) =>
        worker.synthesize(
          { text: job.text, voice: job.voice.id, speed: job.speed, priority: job.priority, correlationId: job.correlationId, retryCount: job.retries },
          signal,
        ),
      );
      const ms = performance.now() - t0;
      member.outcomes.record(true, ms);
      member.lastOkAt = Date.now();
      this.succeed(job, {
        pcm: audio.pcm,
        sampleRate: audio.sampleRate,
        durationMs: Math.round((audio.pcm.byteLength / 2 / audio.sampleRate) * 1000),
        engine: audio.engine,
        voice: job.voice.id,
        words: audio.words,
        workerId: member.id,
        attempts: job.attempts,
        queuedMs: round(t0 - job.enqueuedAt),
        engineMs: round(audio.synthMs),
        latencyMs: 0,
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const fault = error instanceof PoolError && error.retryable;
      if (fault && error.code !== 'circuit_open') member.outcomes.record(false, performance.now() - t0);
      if (error instanceof PoolError && error.code === 'worker_timeout') this.restart(member, 'timeout');
      const budget = error instanceof PoolError && error.code === 'worker_crashed' ? this.config.maxCrashRetries : this.config.maxRetries;
      if (fault && !job.done && job.retries < budget && this.state !== 'stopped') {
        // A circuit that opened between choice and call is not the request's fault: no retry spent.
        if (error.code !== 'circuit_open') {
          job.retries++;
          this.totals.retries++;
          this.metrics.retries.inc();
          this.deps.log(`[${member.id}] ${error.message}; retrying ${job.correlationId} on another worker`);
        }
        job.exclude.add(member.id);
        this.queue.unshift(job);
      } else {
        this.fail(job, error);
      }
    } finally {
      if (worker.inFlight === 0 && worker.state === WorkerState.BUSY) worker.setState(WorkerState.READY);
      this.checkRecycle(member);
      this.pump();
      this.ensureCapacity();
    }
  }

  private succeed(job: Job, result: SynthesisResult): void {
    if (job.done) return;
    this.settle(job);
    const latencyMs = performance.now() - job.submittedAt;
    result.latencyMs = round(latencyMs);
    this.totals.requests++;
    this.latency.record(latencyMs);
    this.metrics.requests.inc({ outcome: 'success' });
    this.metrics.latency.observe({ outcome: 'success' }, latencyMs / 1000);
    job.resolve(result);
  }

  private fail(job: Job, error: Error): void {
    if (job.done) return;
    this.settle(job);
    this.queue.remove(job);
    this.totals.requests++;
    this.totals.failures++;
    this.metrics.requests.inc({ outcome: 'failure' });
    this.metrics.latency.observe({ outcome: 'failure' }, (performance.now() - job.submittedAt) / 1000);
    job.reject(error);
  }

  private settle(job: Job): void {
    job.done = true;
    clearTimeout(job.timer);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
  }

  /** A PoolError when nothing can serve `voiceId` soon (all breakers open, no worker starting). */
  private unavailableFor(voiceId: string): PoolError | null {
    const now = Date.now();
    const relevant = [...this.members.values()].filter((m) => m.worker.alive && (m.worker.serves(voiceId) || m.worker.state === WorkerState.INITIALIZING));
    if (relevant.length === 0) {
      return this.templateFor(voiceId) && this.liveMembers().length < this.config.workerPool.maxWorkers
        ? null
        : new PoolError('no_worker', 'no worker can serve this voice right now', { retryAfterSeconds: 1 });
    }
    if (relevant.some((m) => m.worker.state === WorkerState.INITIALIZING || m.breaker.admits(now) || m.breaker.state === 'half_open')) return null;
    const wait = Math.min(...relevant.map((m) => m.breaker.msUntilHalfOpen(now)));
    return new PoolError('no_worker', 'every worker for this voice has an open circuit breaker', { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) });
  }

  // ---- Scaling, recycling, health -------------------------------------------

  private scale(): void {
    if (this.state === 'stopped') return;
    const pool = this.config.workerPool;
    const depth = this.queue.size;
    const live = this.liveMembers();
    const starting = live.filter((m) => m.worker.state === WorkerState.INITIALIZING).length;
    if (depth >= pool.scaleUpThreshold * (starting + 1) && live.length < pool.maxWorkers) {
      const head = this.queue.peek();
      const template = head ? this.templateFor(head.voice.id) : pool.templates[0];
      if (!template) return;
      const preload = pool.modelSpecialization && head ? [head.voice.id] : [];
      this.deps.log(`scaling up: queue depth ${depth}, ${live.length} workers`);
      void this.spawnWorker(template, preload).catch(() => undefined);
    }
  }

  private tick(): void {
    if (this.state === 'stopped') return;
    const pool = this.config.workerPool;
    const now = Date.now();
    this.scale();
    const live = this.liveMembers();
    let count = live.length;
    const floor = Math.max(pool.minWorkers, 1);
    for (const m of live) {
      this.checkRecycle(m);
      if (count <= floor) break;
      const idle = m.worker.state === WorkerState.READY && m.worker.inFlight === 0 && now - m.worker.lastActivityAt >= pool.scaleDownThreshold;
      const lastOfTemplate = live.filter((o) => o.worker.template.name === m.worker.template.name && !o.recycle).length <= 1;
      if (idle && !lastOfTemplate && this.queue.size === 0) {
        this.deps.log(`[${m.id}] scaling down: idle for ${now - m.worker.lastActivityAt} ms`);
        m.recycle = true;
        count--;
        void m.worker.stop(pool.drainTimeoutMs, pool.killTimeoutMs);
      }
    }
  }

  private checkRecycle(member: Member): void {
    const pool = this.config.workerPool;
    const w = member.worker;
    if (member.recycle || !w.alive) return;
    if (pool.maxRequestsPerWorker > 0 && w.served >= pool.maxRequestsPerWorker) this.recycle(member, 'max_requests');
    else if (pool.maxWorkerRssBytes > 0 && (w.rssBytes ?? 0) > pool.maxWorkerRssBytes) this.recycle(member, 'rss_limit');
  }

  /** Runs one health-check round now (tests, the dashboard's refresh). */
  checkHealthNow(): Promise<void> {
    return this.health?.checkAll() ?? Promise.resolve();
  }

  private workerStatus(m: Member, now: number): WorkerStatus {
    const w = m.worker;
    const consecutive = m.outcomes.consecutiveFailures + m.healthFailures;
    return {
      id: m.id,
      template: w.template.name,
      pid: w.pid,
      state: w.state,
      protocol: w.protocol,
      models: [...w.models],
      inFlight: w.inFlight,
      requestsServed: w.served,
      failures: m.outcomes.failures,
      consecutiveFailures: consecutive,
      successRate: round(m.outcomes.successRate, 4),
      avgResponseMs: round(m.outcomes.avgResponseMs),
      healthScore: healthScore({
        successRate: m.outcomes.successRate,
        consecutiveFailures: consecutive,
        avgResponseMs: m.outcomes.avgResponseMs,
        silenceMs: w.state === WorkerState.BUSY ? 0 : now - m.lastOkAt,
        healthIntervalMs: this.config.health.intervalMs,
      }),
      breaker: m.breaker.state,
      rssBytes: w.rssBytes,
      startedAt: w.startedAt,
      lastActivityAt: w.lastActivityAt,
      restarts: m.restarts,
    };
  }

  private sampleCpu(): number {
    const now = performance.now();
    const elapsedMs = now - this.cpuSample.at;
    if (elapsedMs >= 1000) {
      const diff = cpuUsage(this.cpuSample.usage);
      this.cpuFraction = round((diff.user + diff.system) / 1000 / elapsedMs, 4);
      this.cpuSample = { at: now, usage: cpuUsage() };
    }
    return this.cpuFraction;
  }
}

function isServing(state: WorkerState): boolean {
  return state === WorkerState.READY || state === WorkerState.BUSY;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
