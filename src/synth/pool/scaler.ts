// Scaler: one more worker when the queue is deep (preloading the voice at its
// head), one fewer when a worker has been idle long enough; a periodic tick
// also checks recycling limits.

import type { TTSManagerConfig } from '../config.ts';
import { WorkerState } from '../types.ts';
import type { PendingSynthesis } from './pending-synthesis.ts';
import type { PriorityQueue } from './queue.ts';
import type { PoolSupervisor } from './supervisor.ts';

export class Scaler {
  private readonly config: TTSManagerConfig;
  private readonly supervisor: PoolSupervisor;
  private readonly queue: PriorityQueue<PendingSynthesis>;
  private readonly log: (line: string) => void;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(config: TTSManagerConfig, supervisor: PoolSupervisor, queue: PriorityQueue<PendingSynthesis>, log: (line: string) => void) {
    this.config = config;
    this.supervisor = supervisor;
    this.queue = queue;
    this.log = log;
  }

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.tick(), this.config.workerPool.scaleCheckIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Scale up: one worker per `scaleUpThreshold` of queue depth beyond the workers already starting. */
  scale(): void {
    const pool = this.config.workerPool;
    const depth = this.queue.size;
    const live = this.supervisor.liveMembers();
    const starting = live.filter((m) => m.worker.state === WorkerState.INITIALIZING).length;
    if (depth >= pool.scaleUpThreshold * (starting + 1) && live.length < pool.maxWorkers) {
      const head = this.queue.peek();
      const template = head ? this.supervisor.templateFor(head.voice.id) : pool.templates[0];
      if (!template) return;
      const preload = pool.modelSpecialization && head ? [head.voice.id] : [];
      this.log(`scaling up: queue depth ${depth}, ${live.length} workers`);
      void this.supervisor.spawnWorker(template, preload).catch(() => undefined);
    }
  }

  /** Periodic: scale up, recycle, and scale down workers idle for `scaleDownThreshold`. */
  tick(): void {
    const pool = this.config.workerPool;
    const now = Date.now();
    this.scale();
    const live = this.supervisor.liveMembers();
    let count = live.length;
    const floor = Math.max(pool.minWorkers, 1);
    for (const m of live) {
      this.supervisor.checkRecycle(m);
      if (count <= floor) break;
      const idle = m.worker.state === WorkerState.READY && m.worker.inFlight === 0 && now - m.worker.lastActivityAt >= pool.scaleDownThreshold;
      const lastOfTemplate = live.filter((o) => o.worker.template.name === m.worker.template.name && !o.recycle).length <= 1;
      if (idle && !lastOfTemplate && this.queue.size === 0) {
        this.log(`[${m.id}] scaling down: idle for ${now - m.worker.lastActivityAt} ms`);
        count--;
        this.supervisor.retire(m);
      }
    }
  }
}
