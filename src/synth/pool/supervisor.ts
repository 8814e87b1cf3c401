// Pool supervisor: starts workers, replaces the ones that die within a restart
// budget, keeps the minimum (and one per template) alive, and recycles or
// restarts workers that served too much, grew too big, hung or failed health.

import type { TTSManagerConfig } from '../config.ts';
import type { SynthMetrics } from '../metrics.ts';
import { WorkerState } from '../types.ts';
import type { VoiceCatalog } from '../voices.ts';
import { WorkerBreaker } from './breaker.ts';
import type { SpawnFn } from './child.ts';
import { EngineWorker, type WorkerTemplate } from './engine-worker.ts';
import { PoolError } from './errors.ts';
import { createPoolMember, type PoolMember } from './pool-member.ts';

export interface SupervisorHooks {
  spawn?: SpawnFn;
  log: (line: string) => void;
  metrics: () => SynthMetrics;
  catalog: VoiceCatalog;
  /** False once the service stopped. */
  running: () => boolean;
  /** Capacity changed (a worker started, exited, or its breaker closed): dispatch the queue. */
  pump: () => void;
  /** Voice ids of the queued requests, in dispatch order. */
  queuedVoices: () => Iterable<string>;
}

export class PoolSupervisor {
  readonly members = new Map<string, PoolMember>();
  private readonly config: TTSManagerConfig;
  private readonly hooks: SupervisorHooks;
  private workerCounter = 0;
  private readonly restartTimes: number[] = [];
  private pendingRestart: ReturnType<typeof setTimeout> | undefined;

  constructor(config: TTSManagerConfig, hooks: SupervisorHooks) {
    this.config = config;
    this.hooks = hooks;
  }

  all(): PoolMember[] {
    return [...this.members.values()];
  }

  /** Workers alive and not stopping. */
  liveMembers(): PoolMember[] {
    return this.all().filter((m) => m.worker.alive && m.worker.state !== WorkerState.SHUTTING_DOWN);
  }

  async spawnWorker(template: WorkerTemplate, preload?: string[]): Promise<PoolMember> {
    const pool = this.config.workerPool;
    const log = this.hooks.log;
    const id = `worker-${++this.workerCounter}`;
    const tpl = preload && preload.length > 0 ? { ...template, preload: [...new Set([...(template.preload ?? []), ...preload])] } : template;
    const worker = new EngineWorker(id, tpl, {
      handshakeTimeoutMs: pool.handshakeTimeoutMs,
      startupTimeoutMs: pool.startupTimeoutMs,
      concurrency: pool.workerConcurrency,
      log,
      ...(this.hooks.spawn ? { spawn: this.hooks.spawn } : {}),
    });
    const breaker = new WorkerBreaker(this.config.circuitBreaker);
    const member = createPoolMember(worker, breaker);
    breaker.onStateChange((s) => {
      log(`[${id}] circuit breaker ${s}`);
      if (s !== 'open') this.hooks.pump();
    });
    this.members.set(id, member);
    worker.onExit(() => this.onWorkerExit(member));
    try {
      await worker.start();
    } catch (error) {
      log(`[${id}] failed to start: ${(error as Error).message}`);
      worker.kill('SIGKILL');
      this.members.delete(id);
      throw error;
    }
    if (!worker.alive) {
      this.members.delete(id);
      throw new PoolError('handshake_failed', `worker ${id} exited during start-up`);
    }
    for (const v of worker.voices) this.hooks.catalog.add(v);
    log(`[${id}] ready (pid ${worker.pid}, protocol ${worker.protocol}, ${worker.voices.length} voices, template ${template.name})`);
    this.hooks.pump();
    return member;
  }

  private onWorkerExit(member: PoolMember): void {
    const w = member.worker;
    const running = this.hooks.running();
    const expected = member.recycle || !running;
    if (!this.members.has(member.id)) return;
    this.members.delete(member.id);
    if (!running) return;
    if (!expected) {
      this.hooks.log(`[${member.id}] exited unexpectedly (code ${w.exitCode}, signal ${w.exitSignal})`);
      this.hooks.metrics().restarts.inc({ reason: 'crash' });
    }
    this.ensureCapacity();
    this.hooks.pump();
  }

  /** Keeps at least `minWorkers` (and one per template) alive, within the restart budget. */
  ensureCapacity(): void {
    if (!this.hooks.running()) return;
    const pool = this.config.workerPool;
    const live = this.liveMembers();
    for (const template of pool.templates) {
      const has = live.some((m) => m.worker.template.name === template.name);
      if (!has) this.startReplacement(template);
    }
    const missing = Math.max(0, pool.minWorkers - this.liveMembers().length);
    for (let i = 0; i < missing; i++) this.startReplacement(pool.templates[0]!);
    // Queued requests whose voice nothing alive can serve.
    for (const voiceId of this.hooks.queuedVoices()) {
      if (!this.liveMembers().some((m) => m.worker.serves(voiceId) || m.worker.state === WorkerState.INITIALIZING)) {
        const t = this.templateFor(voiceId);
        if (t) this.startReplacement(t, [voiceId]);
      }
    }
  }

  /** Starts a worker unless the pool is full; the restart budget delays it when spent. */
  private startReplacement(template: WorkerTemplate, preload?: string[]): void {
    if (this.liveMembers().length >= this.config.workerPool.maxWorkers) return;
    const now = Date.now();
    while (this.restartTimes.length > 0 && this.restartTimes[0]! < now - 60_000) this.restartTimes.shift();
    if (this.restartTimes.length >= this.config.workerPool.maxRestartsPerMinute) {
      if (!this.pendingRestart) {
        // Not a backoff: the budget is a sliding window, so the wait is exact.
        const wait = this.restartTimes[0]! + 60_000 - now;
        this.hooks.log(`restart budget spent: next worker start in ${wait} ms`);
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

  templateFor(voiceId: string): WorkerTemplate | undefined {
    const templates = this.config.workerPool.templates;
    for (const m of this.members.values()) if (m.worker.serves(voiceId)) return m.worker.template;
    return templates.find((t) => t.voices?.some((v) => v.id === voiceId)) ?? templates.find((t) => t.name === 'builtin') ?? templates[0];
  }

  /** Stops a worker gracefully and starts a fresh one in its place. */
  recycle(member: PoolMember, reason: string): void {
    if (member.recycle) return;
    member.recycle = true;
    this.hooks.log(`[${member.id}] recycling: ${reason}`);
    this.hooks.metrics().restarts.inc({ reason });
    void member.worker.stop(this.config.workerPool.drainTimeoutMs, this.config.workerPool.killTimeoutMs);
    this.ensureCapacity();
  }

  /** Hard restart of a stuck or unhealthy worker. */
  restart(member: PoolMember, reason: string): void {
    if (member.recycle) return;
    member.recycle = true;
    this.hooks.log(`[${member.id}] restarting: ${reason}`);
    this.hooks.metrics().restarts.inc({ reason });
    void member.worker.stop(0, this.config.workerPool.killTimeoutMs);
    this.ensureCapacity();
  }

  /** Scale-down: stops an idle worker without replacing it. */
  retire(member: PoolMember): void {
    member.recycle = true;
    void member.worker.stop(this.config.workerPool.drainTimeoutMs, this.config.workerPool.killTimeoutMs);
  }

  /** Recycles a worker past its request count or memory limit. */
  checkRecycle(member: PoolMember): void {
    const pool = this.config.workerPool;
    const w = member.worker;
    if (member.recycle || !w.alive) return;
    if (pool.maxRequestsPerWorker > 0 && w.served >= pool.maxRequestsPerWorker) this.recycle(member, 'max_requests');
    else if (pool.maxWorkerRssBytes > 0 && (w.rssBytes ?? 0) > pool.maxWorkerRssBytes) this.recycle(member, 'rss_limit');
  }

  /** Stops every worker (service shutdown). */
  async stopAll(): Promise<void> {
    clearTimeout(this.pendingRestart);
    const pool = this.config.workerPool;
    await Promise.all(this.all().map((m) => m.worker.stop(pool.drainTimeoutMs, pool.killTimeoutMs)));
    this.members.clear();
  }
}
