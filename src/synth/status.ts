// Status reporting: the `/status` snapshot of the service, its workers and the
// seed's SystemMetrics (also the source of the Prometheus gauges).

import { cpuUsage, memoryUsage } from 'node:process';
import type { TTSManagerConfig } from './config.ts';
import type { Dispatcher } from './pool/dispatcher.ts';
import type { PoolMember } from './pool/pool-member.ts';
import { healthScore, round } from './pool/stats.ts';
import type { PoolSupervisor } from './pool/supervisor.ts';
import { WorkerState, type BreakerStateName, type ServiceStatus, type SystemMetrics, type WorkerStatus } from './types.ts';

const BREAKER_SEVERITY: BreakerStateName[] = ['closed', 'half_open', 'open', 'isolated'];

export interface StatusSources {
  config: TTSManagerConfig | undefined;
  supervisor: PoolSupervisor | undefined;
  dispatcher: Dispatcher | undefined;
  /** The facade's own state (`ready` is refined to `degraded`/`unavailable` here). */
  state: ServiceStatus['state'];
  startedAt: number;
}

export class StatusReporter {
  private cpuSample = { at: performance.now(), usage: cpuUsage() };
  private cpuFraction = 0;

  report(src: StatusSources): ServiceStatus {
    const now = Date.now();
    const workers = (src.supervisor?.all() ?? []).map((m) => this.workerStatus(m, now, src.config?.health.intervalMs ?? 5000));
    const active = workers.filter((w) => w.state === WorkerState.READY || w.state === WorkerState.BUSY).length;
    const worst = workers.reduce<BreakerStateName>(
      (acc, w) => (BREAKER_SEVERITY.indexOf(w.breaker) > BREAKER_SEVERITY.indexOf(acc) ? w.breaker : acc),
      'closed',
    );
    const d = src.dispatcher;
    const totals = d?.totals ?? { requests: 0, failures: 0, retries: 0 };
    const done = totals.requests;
    const metrics: SystemMetrics = {
      averageLatency: round(d?.latency.mean() ?? 0),
      p50Latency: round(d?.latency.percentile(50) ?? 0),
      p95Latency: round(d?.latency.percentile(95) ?? 0),
      p99Latency: round(d?.latency.percentile(99) ?? 0),
      requestsPerSecond: round(d?.latency.perSecond() ?? 0),
      queueDepth: d?.queue.size ?? 0,
      successRate: done === 0 ? 1 : round((done - totals.failures) / done, 4),
      circuitBreakerState: worst,
      workerHealth: workers.map((w) => w.healthScore),
      memoryUsage: memoryUsage.rss() + workers.reduce((s, w) => s + (w.rssBytes ?? 0), 0),
      cpuUsage: this.sampleCpu(),
      activeWorkers: active,
      totalRequests: done,
      failedRequests: totals.failures,
      retriedRequests: totals.retries,
    };
    let state = src.state;
    if (state === 'ready' || state === 'degraded') state = active === 0 ? 'unavailable' : worst === 'closed' ? 'ready' : 'degraded';
    return {
      state,
      uptimeMs: now - src.startedAt,
      strategy: src.config?.loadBalancing.strategy ?? 'weighted',
      queue: {
        depth: d?.queue.size ?? 0,
        byPriority: { high: d?.queue.sizeOf('high') ?? 0, normal: d?.queue.sizeOf('normal') ?? 0, low: d?.queue.sizeOf('low') ?? 0 },
        capacity: src.config?.queue.maxSize ?? 0,
      },
      workers,
      metrics,
    };
  }

  private workerStatus(m: PoolMember, now: number, healthIntervalMs: number): WorkerStatus {
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
        // A worker with requests in flight is not silent (BUSY alone would miss a partly loaded one).
        silenceMs: w.inFlight > 0 ? 0 : now - m.lastOkAt,
        healthIntervalMs,
      }),
      breaker: m.breaker.state,
      rssBytes: w.rssBytes,
      startedAt: w.startedAt,
      lastActivityAt: w.lastActivityAt,
      restarts: m.restarts,
    };
  }

  /** Fraction of one core used by this process, resampled at most once a second. */
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
