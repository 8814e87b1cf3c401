// Rolling statistics: per-worker outcomes for the balancer and health score,
// and a latency sample window for percentiles and requests per second.

export class OutcomeWindow {
  private readonly outcomes: boolean[] = [];
  private readonly size: number;
  consecutiveFailures = 0;
  /** Exponentially weighted mean response time of successful requests, ms. */
  avgResponseMs = 0;
  total = 0;
  failures = 0;

  constructor(size = 50) {
    this.size = size;
  }

  record(ok: boolean, ms: number): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > this.size) this.outcomes.shift();
    this.total++;
    if (ok) {
      this.consecutiveFailures = 0;
      this.avgResponseMs = this.avgResponseMs === 0 ? ms : this.avgResponseMs * 0.8 + ms * 0.2;
    } else {
      this.failures++;
      this.consecutiveFailures++;
    }
  }

  /** Share of successes over the window (1 with no history). */
  get successRate(): number {
    if (this.outcomes.length === 0) return 1;
    let ok = 0;
    for (const o of this.outcomes) if (o) ok++;
    return ok / this.outcomes.length;
  }
}

export interface HealthScoreInput {
  successRate: number;
  consecutiveFailures: number;
  avgResponseMs: number;
  /** ms since the worker last proved alive (a success or a passed health check). */
  silenceMs: number;
  healthIntervalMs: number;
}

/** Latency the seed targets at p50; slower workers lose score. */
export const TARGET_LATENCY_MS = 150;

/**
 * The seed's health score:
 * `100 * successRate - min(consecutiveFailures * 20, 80) - responseTimePenalty - stalenessPenalty`,
 * with responseTimePenalty = one point per 25 ms above 150 ms (at most 20) and
 * stalenessPenalty = five points per health interval of silence beyond two (at most 20),
 * clamped to 0..100.
 */
export function healthScore(s: HealthScoreInput): number {
  const responseTimePenalty = Math.min(20, Math.max(0, (s.avgResponseMs - TARGET_LATENCY_MS) / 25));
  const stalenessPenalty = Math.min(20, Math.max(0, ((s.silenceMs - 2 * s.healthIntervalMs) / s.healthIntervalMs) * 5));
  const score = 100 * s.successRate - Math.min(s.consecutiveFailures * 20, 80) - responseTimePenalty - stalenessPenalty;
  return Math.round(Math.min(100, Math.max(0, score)) * 10) / 10;
}

/** Recent latencies (bounded sample) and completion times for rates. */
export class LatencyWindow {
  private readonly samples: number[] = [];
  private readonly completions: number[] = [];
  private readonly maxSamples: number;
  private readonly rateWindowMs: number;

  constructor(maxSamples = 2048, rateWindowMs = 10_000) {
    this.maxSamples = maxSamples;
    this.rateWindowMs = rateWindowMs;
  }

  record(ms: number, now = Date.now()): void {
    this.samples.push(ms);
    if (this.samples.length > this.maxSamples) this.samples.shift();
    this.completions.push(now);
    this.trim(now);
  }

  /** Completed requests per second over the rate window. */
  perSecond(now = Date.now()): number {
    this.trim(now);
    return this.completions.length / (this.rateWindowMs / 1000);
  }

  mean(): number {
    if (this.samples.length === 0) return 0;
    let s = 0;
    for (const v of this.samples) s += v;
    return s / this.samples.length;
  }

  percentile(p: number): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  }

  private trim(now: number): void {
    const cutoff = now - this.rateWindowMs;
    while (this.completions.length > 0 && this.completions[0]! < cutoff) this.completions.shift();
  }
}

/** Rounds for reports: `digits` decimals. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
