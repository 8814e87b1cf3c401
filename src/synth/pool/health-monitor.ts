// Health monitor (seed 004): checks every idle worker each interval; a failed
// check marks the worker UNHEALTHY (no new work), a passed one makes it READY
// again, and `failuresBeforeRestart` failures in a row ask for a restart.

import type { HealthConfig } from '../config.ts';
import { WorkerState } from '../types.ts';
import type { EngineWorker } from './engine-worker.ts';

/** What the monitor reads and updates on each pool member. */
export interface HealthTarget {
  readonly id: string;
  readonly worker: EngineWorker;
  /** Being replaced: not checked. */
  readonly recycle: boolean;
  healthFailures: number;
  lastOkAt: number;
}

export interface HealthMonitorHooks<T extends HealthTarget> {
  targets: () => Iterable<T>;
  /** A worker passed a check after failing (it is READY again) or passed a routine check. */
  onPass: (target: T, recovered: boolean) => void;
  /** Failed `failuresBeforeRestart` checks in a row. */
  onRestart: (target: T) => void;
  log: (line: string) => void;
}

export class HealthMonitor<T extends HealthTarget> {
  private readonly config: HealthConfig;
  private readonly hooks: HealthMonitorHooks<T>;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(config: HealthConfig, hooks: HealthMonitorHooks<T>) {
    this.config = config;
    this.hooks = hooks;
  }

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.checkAll(), this.config.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of checks; busy and starting workers are skipped (the request timeout covers them). */
  async checkAll(): Promise<void> {
    await Promise.all([...this.hooks.targets()].map((t) => this.check(t)));
  }

  private async check(t: T): Promise<void> {
    const w = t.worker;
    if (t.recycle || (w.state !== WorkerState.READY && w.state !== WorkerState.UNHEALTHY) || w.inFlight > 0) return;
    try {
      await w.health(this.config.timeoutMs);
      t.healthFailures = 0;
      t.lastOkAt = Date.now();
      const recovered = w.state === WorkerState.UNHEALTHY;
      if (recovered) w.markHealthy();
      this.hooks.onPass(t, recovered);
    } catch (error) {
      if (!w.alive || t.recycle) return;
      t.healthFailures++;
      w.markUnhealthy();
      this.hooks.log(`[${t.id}] health check failed (${t.healthFailures}/${this.config.failuresBeforeRestart}): ${(error as Error).message}`);
      if (t.healthFailures >= this.config.failuresBeforeRestart) this.hooks.onRestart(t);
    }
  }
}
