// Prometheus metrics (prom-client) carrying the seed's SystemMetrics. Each
// manager owns its registry, so several managers can live in one process.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerStateName, ServiceStatus } from './types.ts';

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2, isolated: 3 };

export class SynthMetrics {
  readonly registry = new Registry();
  readonly latency: Histogram<'outcome'>;
  readonly requests: Counter<'outcome'>;
  readonly retries: Counter;
  readonly restarts: Counter<'reason'>;

  constructor(status: () => ServiceStatus) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'lector_synth_process_' });
    this.latency = new Histogram({
      name: 'lector_synth_request_duration_seconds',
      help: 'Synthesis latency from submission to result, seconds',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30],
      registers,
    });
    this.requests = new Counter({ name: 'lector_synth_requests_total', help: 'Synthesis requests by outcome', labelNames: ['outcome'], registers });
    this.retries = new Counter({ name: 'lector_synth_retries_total', help: 'Requests retried on another worker after a worker fault', registers });
    this.restarts = new Counter({ name: 'lector_synth_worker_restarts_total', help: 'Worker replacements by reason', labelNames: ['reason'], registers });

    const gauge = (name: string, help: string, read: (g: Gauge<string>, s: ServiceStatus) => void, labelNames: string[] = []): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          read(this, status());
        },
      });
    };
    gauge('lector_synth_requests_per_second', 'Completed requests per second (10 s window)', (g, s) => g.set(s.metrics.requestsPerSecond));
    gauge('lector_synth_average_latency_seconds', 'Mean latency of recent requests, seconds', (g, s) => g.set(s.metrics.averageLatency / 1000));
    gauge('lector_synth_success_rate', 'Share of requests that succeeded (0..1)', (g, s) => g.set(s.metrics.successRate));
    gauge(
      'lector_synth_queue_depth',
      'Requests waiting for a worker',
      (g, s) => {
        for (const [p, n] of Object.entries(s.queue.byPriority)) g.set({ priority: p }, n);
      },
      ['priority'],
    );
    gauge(
      'lector_synth_circuit_breaker_state',
      'Breaker state per worker: 0 closed, 1 half-open, 2 open, 3 isolated',
      (g, s) => {
        for (const w of s.workers) g.set({ worker: w.id }, BREAKER_VALUE[w.breaker]);
      },
      ['worker'],
    );
    gauge(
      'lector_synth_worker_health_score',
      'Health score per worker (0..100)',
      (g, s) => {
        for (const w of s.workers) g.set({ worker: w.id }, w.healthScore);
      },
      ['worker'],
    );
    gauge(
      'lector_synth_worker_rss_bytes',
      'Resident memory per worker, bytes',
      (g, s) => {
        for (const w of s.workers) if (w.rssBytes !== null) g.set({ worker: w.id }, w.rssBytes);
      },
      ['worker'],
    );
    gauge('lector_synth_memory_bytes', 'Manager RSS plus all workers RSS, bytes', (g, s) => g.set(s.metrics.memoryUsage));
    gauge('lector_synth_cpu_usage', 'CPU used by the manager process, fraction of one core', (g, s) => g.set(s.metrics.cpuUsage));
    gauge(
      'lector_synth_workers',
      'Workers by state',
      (g, s) => {
        const counts: Record<string, number> = { INITIALIZING: 0, READY: 0, BUSY: 0, UNHEALTHY: 0, SHUTTING_DOWN: 0, TERMINATED: 0 };
        for (const w of s.workers) counts[w.state] = (counts[w.state] ?? 0) + 1;
        for (const [state, n] of Object.entries(counts)) g.set({ state }, n);
      },
      ['state'],
    );
    gauge('lector_synth_active_workers', 'Workers READY or BUSY', (g, s) => g.set(s.metrics.activeWorkers));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
