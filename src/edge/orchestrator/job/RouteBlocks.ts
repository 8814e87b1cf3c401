// A job's routes, leased from RouterCounter in blocks (issue 12): one request
// leases up to BLOCK_ROUTES calls spread over the backends whose circuit is
// closed, and one report per block (plus one at once after any failure) hands
// the outcomes back to the breakers. RouterCounter thus sees a few requests per
// block instead of two per chunk, whatever the number of jobs.
import { type BlockOutcome, type RouteBlock, type RouterCounter } from '../router/RouterCounter.ts';

/** Routes asked for per block: a few minutes of speech at four in flight, a fraction of a novel. */
export const BLOCK_ROUTES = 32;

/** A route for one call, or how long to wait when every circuit is open. */
export type Route = { url: string; backend: number; block: string; probe?: string } | { wait: number };

interface BlockState {
  outcomes: Map<number, BlockOutcome>;
  inflight: number;
  retired: boolean;
}

export class RouteBlocks {
  private current: (RouteBlock & { next: number }) | undefined;
  private readonly blocks = new Map<string, BlockState>();
  /** RouterCounter requests made, for the benchmark. */
  requests = 0;

  private readonly router: () => DurableObjectStub<RouterCounter>;

  constructor(router: () => DurableObjectStub<RouterCounter>) {
    this.router = router;
  }

  /** Routes for `n` calls: from the current block, then from new ones. Throws if RouterCounter is unreachable. */
  async take(n: number, callTimeoutMs: number, only?: readonly string[]): Promise<Route[]> {
    const out: Route[] = [];
    while (out.length < n) {
      const c = this.current;
      if (!c || c.next >= c.routes.length || Date.now() >= c.expiresAt) {
        if (c) this.retire();
        this.requests++;
        const got = await this.router().acquireBlock(Math.max(n - out.length, BLOCK_ROUTES), callTimeoutMs, only ? [...only] : undefined);
        if ('wait' in got) {
          while (out.length < n) out.push({ wait: got.wait });
          break;
        }
        this.current = { ...got, next: 0 };
        this.blocks.set(got.block, { outcomes: new Map(), inflight: 0, retired: false });
        continue;
      }
      const r = c.routes[c.next++]!;
      this.blocks.get(c.block)!.inflight++;
      out.push(r.probe ? { url: r.url, backend: r.backend, block: c.block, probe: r.probe } : { url: r.url, backend: r.backend, block: c.block });
    }
    return out;
  }

  /** A call on `route` ended. Failures reach the breakers at once; successes with the block's last report. */
  settle(route: Extract<Route, { block: string }>, success: boolean): void {
    const b = this.blocks.get(route.block);
    if (!b) return;
    b.inflight--;
    if (route.probe) {
      this.requests++;
      void this.router().report(route.probe, success).catch((e: unknown) => console.warn('router report failed', String(e)));
    } else {
      const o = b.outcomes.get(route.backend) ?? { backend: route.backend, succeeded: 0, failed: 0 };
      if (success) o.succeeded++;
      else o.failed++;
      b.outcomes.set(route.backend, o);
    }
    if (b.retired && b.inflight === 0) this.flush(route.block, true);
    else if (!success) this.flush(route.block, false);
  }

  /** Stops routing over the current block (the job is idle, or a circuit it uses opened); reported once its calls end. */
  retire(): void {
    const c = this.current;
    this.current = undefined;
    if (!c) return;
    const b = this.blocks.get(c.block);
    if (!b) return;
    b.retired = true;
    if (b.inflight === 0) this.flush(c.block, true);
  }

  private flush(block: string, final: boolean): void {
    const b = this.blocks.get(block);
    if (!b) return;
    const outcomes = [...b.outcomes.values()];
    b.outcomes.clear();
    if (final) this.blocks.delete(block);
    this.requests++;
    void this.router()
      .reportBlock(block, outcomes, final)
      .then(({ notClosed }) => {
        // A circuit this job routes over opened: lease a fresh block instead of calling it again.
        if (this.current?.routes.some((r) => notClosed.includes(r.backend))) this.retire();
      })
      .catch((e: unknown) => console.warn('router block report failed', String(e)));
  }
}
