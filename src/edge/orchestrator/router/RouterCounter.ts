// Spreads chunks over synthesis backends (seed 001's RouterCounter): round
// robin, skipping a backend whose circuit is open. One cockatiel breaker per
// backend; a dispatch is a ticket whose outcome the job reports back, and the
// breaker's state is persisted (toJSON / initialState) so a restart keeps it.
import { DurableObject } from 'cloudflare:workers';
import { CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, SamplingBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { EitherBreaker } from './EitherBreaker.ts';

/** Breaker settings for each backend. */
export interface BackendBreakerOptions {
  /** Failure rate that opens the circuit. */
  threshold: number;
  /** Sliding window over which the rate is measured (ms). */
  windowMs: number;
  /** Calls per second the window must see before it may open. */
  minimumRps: number;
  /** Failures in a row that open the circuit, whatever the rate window says. */
  consecutiveFailures: number;
  /** Time an open circuit waits before one probe call (ms). */
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BackendBreakerOptions = { threshold: 0.5, windowMs: 10_000, minimumRps: 0.5, consecutiveFailures: 5, halfOpenAfterMs: 5_000 };

export type Acquired = { ticket: string; backend: number; url: string } | { wait: number };

export interface RouteOutcome {
  ticket: string;
  success: boolean;
}

/** One route of a block: a backend to call; `probe` is the ticket of a half-open circuit's one trial call. */
export interface BlockRoute {
  backend: number;
  url: string;
  probe?: string;
}

/**
 * Capacity leased in a block (issue 12): a job routes its next chunks over `routes` in turn
 * until it has used them all or `expiresAt` passes, and reports the outcomes per backend in
 * one call, so RouterCounter sees a few requests per block instead of two per chunk.
 */
export interface RouteBlock {
  block: string;
  routes: BlockRoute[];
  expiresAt: number;
}

/** Outcomes of calls made on a block's routes since its last report, per backend. */
export interface BlockOutcome {
  backend: number;
  succeeded: number;
  failed: number;
}

/** How long a block's routes may be used, and the most routes in one block. */
export const BLOCK_TTL_MS = 30_000;
export const MAX_BLOCK_ROUTES = 64;

export interface BackendStatus {
  backend: number;
  url: string;
  state: 'closed' | 'open' | 'half-open' | 'isolated';
  dispatched: number;
  /** Tickets whose outcome was not reported within their call's timeout + REPORT_GRACE_MS (counted as failures). */
  missedReports: number;
}

/**
 * A ticket's outcome (or a block's last report) must arrive within its call's timeout plus this
 * (for a block, after its expiry); after that it counts as a failure (the job that took it is gone).
 */
export const REPORT_GRACE_MS = 5_000;

interface OpenBlock {
  /** Backends the block routes to: each is charged one failure if the block is never reported. */
  backends: Set<number>;
  timer: ReturnType<typeof setTimeout>;
}

interface Ticket {
  resolve: () => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const STATE_NAMES = ['closed', 'open', 'half-open', 'isolated'] as const;

export class RouterCounter extends DurableObject<Env> {
  private backends: string[] | undefined;
  private breakers: CircuitBreakerPolicy[] = [];
  private dispatched: number[] = [];
  private missed: number[] = [];
  /** The one load in progress or done: concurrent first calls share it. */
  private loading: Promise<void> | undefined;
  private counter = 0;
  private readonly tickets = new Map<string, Ticket>();
  private readonly blocks = new Map<string, OpenBlock>();
  private readonly options: BackendBreakerOptions = DEFAULT_BREAKER;

  private load(): Promise<void> {
    this.loading ??= this.loadOnce().catch((e: unknown) => {
      this.loading = undefined;
      throw e;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    const list = await this.env.BACKEND.backends();
    const saved = (await this.ctx.storage.get<{ urls: string[]; states: unknown[]; counter: number }>('router')) ?? null;
    this.backends = list;
    this.counter = saved?.counter ?? 0;
    this.breakers = list.map((url, i) => {
      const initialState = saved && saved.urls[i] === url ? saved.states[i] : undefined;
      const policy = circuitBreaker(handleAll, {
        halfOpenAfter: this.options.halfOpenAfterMs,
        breaker: new EitherBreaker(
          new SamplingBreaker({ threshold: this.options.threshold, duration: this.options.windowMs, minimumRps: this.options.minimumRps }),
          new ConsecutiveBreaker(this.options.consecutiveFailures),
        ),
        initialState,
      });
      policy.onStateChange(() => void this.persist());
      return policy;
    });
    this.dispatched = list.map(() => 0);
    this.missed = list.map(() => 0);
  }

  private async persist(): Promise<void> {
    await this.ctx.storage.put('router', { urls: this.backends, states: this.breakers.map((b) => b.toJSON()), counter: this.counter });
  }

  /**
   * Picks the next backend whose circuit admits a call. If every circuit is
   * open, answers how long to wait before asking again.
   */
  async acquire(timeoutMs: number, only?: readonly string[]): Promise<Acquired> {
    await this.load();
    const n = this.backends!.length;
    // Only the backends of the job's provider, unless none of them is known here (then any).
    const allowed = only && this.backends!.some((b) => only.includes(b)) ? (i: number) => only.includes(this.backends![i]!) : () => true;
    let soonest = Infinity;
    for (let k = 0; k < n; k++) {
      const i = (this.counter + k) % n;
      if (!allowed(i)) continue;
      const wait = this.admitsIn(i);
      if (wait > 0) {
        soonest = Math.min(soonest, wait);
        continue;
      }
      this.counter = (i + 1) % n;
      this.dispatched[i]!++;
      return { ticket: this.open(i, timeoutMs), backend: i, url: this.backends![i]! };
    }
    return { wait: Math.max(50, Math.min(soonest, this.options.halfOpenAfterMs)) };
  }

  /** Batch form of `acquire`: one route (or wait) per chunk, spread round robin. */
  async acquireMany(n: number, timeoutMs: number, only?: readonly string[]): Promise<Acquired[]> {
    const out: Acquired[] = [];
    for (let i = 0; i < Math.min(n, 100); i++) out.push(await this.acquire(timeoutMs, only));
    return out;
  }

  /**
   * Leases up to `size` routes, round robin over the backends whose circuit is closed (a half-open
   * circuit's probe is one route with its ticket). Answers `{ wait }` when no circuit admits a call.
   * The block must be reported (`reportBlock`, `final`) before its expiry plus `callTimeoutMs` and
   * REPORT_GRACE_MS; after that each of its backends is charged one failure (the job is gone).
   */
  async acquireBlock(size: number, callTimeoutMs: number, only?: readonly string[], ttlMs = BLOCK_TTL_MS): Promise<RouteBlock | { wait: number }> {
    await this.load();
    const n = this.backends!.length;
    const allowed = only && this.backends!.some((b) => only.includes(b)) ? (i: number) => only.includes(this.backends![i]!) : () => true;
    const routes: BlockRoute[] = [];
    let soonest = Infinity;
    const want = Math.max(1, Math.min(MAX_BLOCK_ROUTES, Math.floor(size)));
    for (let tries = 0; routes.length < want && tries < want * n; tries++) {
      const i = this.counter;
      this.counter = (i + 1) % n;
      if (!allowed(i)) continue;
      const b = this.breakers[i]!;
      if (b.state === CircuitState.Closed) {
        routes.push({ backend: i, url: this.backends![i]! });
        continue;
      }
      const wait = this.admitsIn(i);
      if (wait > 0) {
        soonest = Math.min(soonest, wait);
        continue;
      }
      // An open circuit whose delay has passed: one probe, tracked by its own ticket.
      this.dispatched[i]!++;
      routes.push({ backend: i, url: this.backends![i]!, probe: this.open(i, callTimeoutMs) });
    }
    if (routes.length === 0) return { wait: Math.max(50, Math.min(soonest, this.options.halfOpenAfterMs)) };
    const block = crypto.randomUUID();
    const ttl = Math.max(100, Math.min(BLOCK_TTL_MS, ttlMs));
    const expiresAt = Date.now() + ttl;
    const backends = new Set(routes.filter((r) => !r.probe).map((r) => r.backend));
    const timer = setTimeout(() => {
      this.blocks.delete(block);
      for (const i of backends) {
        this.missed[i]!++;
        void this.record(i, false);
      }
    }, ttl + callTimeoutMs + REPORT_GRACE_MS);
    this.blocks.set(block, { backends, timer });
    return { block, routes, expiresAt };
  }

  /**
   * Records a block's outcomes on the breakers; `final` when the job will use the block no more.
   * Answers the backends whose circuit is not closed now, so the job can drop its block early.
   */
  async reportBlock(block: string, outcomes: readonly BlockOutcome[], final: boolean): Promise<{ notClosed: number[] }> {
    await this.load();
    const recorded: Promise<void>[] = [];
    for (const o of outcomes) {
      if (!Number.isSafeInteger(o.backend) || o.backend < 0 || o.backend >= this.breakers.length) continue;
      // Successes first: a report goes out at once after a failure, so its failures are the newest.
      for (let k = 0; k < Math.min(o.succeeded, 1_000); k++) recorded.push(this.record(o.backend, true));
      for (let k = 0; k < Math.min(o.failed, 1_000); k++) recorded.push(this.record(o.backend, false));
      this.dispatched[o.backend]! += Math.max(0, o.succeeded) + Math.max(0, o.failed);
    }
    await Promise.all(recorded);
    const open = this.blocks.get(block);
    if (final && open) {
      clearTimeout(open.timer);
      this.blocks.delete(block);
    }
    return { notClosed: this.breakers.flatMap((b, i) => (b.state === CircuitState.Closed ? [] : [i])) };
  }

  /** One finished call's outcome on backend `i`'s breaker (a no-op while its circuit is open). */
  private record(i: number, success: boolean): Promise<void> {
    return this.breakers[i]!.execute(() => (success ? Promise.resolve() : Promise.reject(new Error('backend call failed')))).catch(() => undefined);
  }

  /** Batch form of `report`. */
  async reportMany(outcomes: RouteOutcome[]): Promise<void> {
    for (const o of outcomes) await this.report(o.ticket, o.success);
  }

  /** Reports how the call behind `ticket` went. Unknown tickets (after a restart) are ignored. */
  async report(ticket: string, success: boolean): Promise<void> {
    const t = this.tickets.get(ticket);
    if (!t) return;
    this.tickets.delete(ticket);
    clearTimeout(t.timer);
    if (success) t.resolve();
    else t.reject(new Error('backend call failed'));
  }

  async status(): Promise<BackendStatus[]> {
    await this.load();
    return this.backends!.map((url, i) => ({ backend: i, url, state: STATE_NAMES[this.breakers[i]!.state]!, dispatched: this.dispatched[i]!, missedReports: this.missed[i]! }));
  }

  /** 0 if the backend's circuit admits a call now, else ms until it will. */
  private admitsIn(i: number): number {
    const b = this.breakers[i]!;
    switch (b.state) {
      case CircuitState.Closed:
        return 0;
      case CircuitState.HalfOpen:
        return this.options.halfOpenAfterMs; // a probe is already out
      case CircuitState.Open: {
        const { ownState } = b.toJSON() as { ownState: { openedAt: number } };
        return Math.max(0, ownState.openedAt + this.options.halfOpenAfterMs - Date.now());
      }
      default:
        return Infinity;
    }
  }

  /** Starts a breaker execution that settles when the outcome is reported (or times out as a failure). */
  private open(i: number, timeoutMs: number): string {
    const id = crypto.randomUUID();
    const outcome = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.tickets.delete(id);
        this.missed[i]!++;
        reject(new Error('no report before the call timed out'));
      }, timeoutMs + REPORT_GRACE_MS);
      this.tickets.set(id, { resolve, reject, timer });
    });
    this.breakers[i]!.execute(() => outcome).catch(() => undefined /* outcome recorded by the breaker */);
    return id;
  }
}

/** The one RouterCounter every job shares. */
export function routerStub(env: Env): DurableObjectStub<RouterCounter> {
  return env.ROUTER_COUNTER.get(env.ROUTER_COUNTER.idFromName('global'));
}
