// TTSManager (seed 004): the synthesis service behind one `ITTSService`. A thin
// facade: it validates requests and wires the parts that do the work, each in
// its own file: PoolSupervisor (workers), Dispatcher (queue, routing, retry),
// Scaler, HealthMonitor and StatusReporter.

import { resolveConfig, type TTSManagerConfig, type TTSManagerOptions } from './config.ts';
import { SynthMetrics } from './metrics.ts';
import { createBalancer } from './pool/balancer.ts';
import type { SpawnFn } from './pool/child.ts';
import { Dispatcher } from './pool/dispatcher.ts';
import { PoolError } from './pool/errors.ts';
import { HealthMonitor } from './pool/health-monitor.ts';
import { isServing, type PoolMember } from './pool/pool-member.ts';
import { Scaler } from './pool/scaler.ts';
import { PoolSupervisor } from './pool/supervisor.ts';
import { StatusReporter } from './status.ts';
import type { ServiceStatus, SynthesisRequest, SynthesisResult } from './types.ts';
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

export class TTSManager implements ITTSService {
  private config: TTSManagerConfig | undefined;
  private readonly deps: { spawn?: SpawnFn; log: (line: string) => void };
  private readonly catalog = new VoiceCatalog();
  private readonly reporter = new StatusReporter();
  private supervisor: PoolSupervisor | undefined;
  private dispatcher: Dispatcher | undefined;
  private scaler: Scaler | undefined;
  private health: HealthMonitor<PoolMember> | undefined;
  private metricsImpl: SynthMetrics | undefined;
  private state: ServiceStatus['state'] = 'stopped';
  private startedAt = Date.now();
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
    if (!this.config) throw new Error('TTSManager is not initialized');
    return this.config;
  }

  async initialize(options?: TTSManagerOptions): Promise<void> {
    if (this.state !== 'stopped') throw new Error('TTSManager already initialized');
    const config = resolveConfig(options ?? this.initialOptions);
    this.config = config;
    this.state = 'starting';
    this.startedAt = Date.now();
    const running = (): boolean => this.state !== 'stopped';
    const metrics = (): SynthMetrics => this.metrics;
    const supervisor = new PoolSupervisor(config, {
      ...(this.deps.spawn ? { spawn: this.deps.spawn } : {}),
      log: this.deps.log,
      metrics,
      catalog: this.catalog,
      running,
      pump: () => dispatcher.pump(),
      queuedVoices: function* () {
        for (const pending of dispatcher.queue) yield pending.voice.id;
      },
    });
    const dispatcher = new Dispatcher(config, supervisor, createBalancer({ strategy: config.loadBalancing.strategy }), { log: this.deps.log, metrics, running });
    this.supervisor = supervisor;
    this.dispatcher = dispatcher;
    this.scaler = new Scaler(config, supervisor, dispatcher.queue, this.deps.log);

    const pool = config.workerPool;
    const templates = pool.templates;
    const initial = Math.min(pool.maxWorkers, Math.max(pool.minWorkers, templates.length));
    const starts: Promise<unknown>[] = [];
    for (let i = 0; i < initial; i++) starts.push(supervisor.spawnWorker(templates[i % templates.length]!).catch(() => undefined));
    await Promise.all(starts);
    if (!this.isReady()) {
      await this.shutdown();
      throw new PoolError('no_worker', 'no engine worker could be started');
    }
    this.state = 'ready';
    this.health = new HealthMonitor<PoolMember>(config.health, {
      targets: () => supervisor.members.values(),
      onPass: (m, recovered) => {
        if (recovered) dispatcher.pump();
        supervisor.checkRecycle(m);
      },
      onRestart: (m) => supervisor.restart(m, 'health'),
      log: this.deps.log,
    });
    this.health.start();
    this.scaler.start();
  }

  synthesize(request: SynthesisRequest): Promise<SynthesisResult> {
    const submittedAt = performance.now();
    return new Promise<SynthesisResult>((resolve, reject) => {
      const dispatcher = this.dispatcher;
      if ((this.state !== 'ready' && this.state !== 'degraded') || !dispatcher) {
        reject(new PoolError('shutting_down', `synthesis service is ${this.state}`, { retryAfterSeconds: 1 }));
        return;
      }
      if (typeof request.text !== 'string' || request.text.trim().length === 0) {
        reject(new TypeError('text must be a non-empty string'));
        return;
      }
      const speed = request.speed;
      if (speed !== undefined && (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED)) {
        reject(new RangeError(`speed must be between ${MIN_SPEED} and ${MAX_SPEED}`));
        return;
      }
      const voice = this.catalog.resolve(request.voice);
      if (!voice) {
        reject(new PoolError('unknown_voice', `unknown voice ${JSON.stringify(request.voice)}; try one of ${this.catalog.examples().join(', ')}`));
        return;
      }
      const queued = dispatcher.submit(
        {
          text: request.text,
          voice,
          ...(speed !== undefined ? { speed } : {}),
          priority: request.priority ?? 'normal',
          ...(request.correlationId !== undefined ? { correlationId: request.correlationId } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          submittedAt,
        },
        resolve,
        reject,
      );
      if (queued) this.scaler?.scale();
    });
  }

  getStatus(): ServiceStatus {
    return this.reporter.report({ config: this.config, supervisor: this.supervisor, dispatcher: this.dispatcher, state: this.state, startedAt: this.startedAt });
  }

  /** True while at least one worker is READY or BUSY. */
  isReady(): boolean {
    return (this.supervisor?.all() ?? []).some((m) => isServing(m.worker.state));
  }

  /** Runs one health-check round now (tests, the dashboard's refresh). */
  checkHealthNow(): Promise<void> {
    return this.health?.checkAll() ?? Promise.resolve();
  }

  async shutdown(): Promise<void> {
    if (this.state === 'stopped' && (this.supervisor?.members.size ?? 0) === 0) return;
    this.state = 'stopped';
    this.health?.stop();
    this.scaler?.stop();
    this.dispatcher?.failQueued(new PoolError('shutting_down', 'synthesis service is shutting down', { retryAfterSeconds: 1 }));
    await this.supervisor?.stopAll();
  }
}
