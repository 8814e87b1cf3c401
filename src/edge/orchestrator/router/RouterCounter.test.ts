// RouterCounter's breaker accounting (issue 10 item 6), in workerd with the real
// backend Worker: concurrent first calls share one load; route blocks (issue 12)
// are reported or charged, feed the breakers, and keep a job off the per-chunk path.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import type { InitializedJob, TtsJobDurableObject } from '../job/TtsJobDurableObject.ts';
import { REPORT_GRACE_MS } from './RouterCounter.ts';

describe('RouterCounter', () => {
  it('concurrent first calls share one load: every dispatch is counted on the breakers in use', async () => {
    const router = env.ROUTER_COUNTER.get(env.ROUTER_COUNTER.idFromName(crypto.randomUUID()));
    // The backend list answers slowly, so the first calls overlap inside load().
    await runInDurableObject(router, (instance) => {
      const inst = instance as unknown as { env: Env };
      const real = inst.env;
      const slow = { backends: async () => (await new Promise((r) => setTimeout(r, 300)), real.BACKEND.backends()) };
      inst.env = Object.create(real, { BACKEND: { value: slow } }) as Env;
    });
    const routes = await Promise.all(Array.from({ length: 12 }, () => router.acquire(10_000)));
    expect(routes.every((r) => 'ticket' in r)).toBe(true);
    const status = await router.status();
    expect(status.reduce((n, b) => n + b.dispatched, 0)).toBe(12);
    // Each ticket is known to the breakers in use: its report settles it (none is left to time out).
    await router.reportMany(routes.map((r) => ({ ticket: (r as { ticket: string }).ticket, success: true })));
    const open = await runInDurableObject(router, (instance) => (instance as unknown as { tickets: Map<string, unknown> }).tickets.size);
    expect(open).toBe(0);
  });

  it('a reported block leaves nothing to time out; an unreported one charges its backends a missed report', { timeout: 30_000 }, async () => {
    const router = env.ROUTER_COUNTER.get(env.ROUTER_COUNTER.idFromName(crypto.randomUUID()));
    const callMs = 100;
    const reported = await router.acquireBlock(6, callMs, undefined, 200);
    if (!('block' in reported)) throw new Error('no block');
    expect(reported.routes).toHaveLength(6);
    const backends = [...new Set(reported.routes.map((r) => r.backend))];
    await router.reportBlock(reported.block, backends.map((b) => ({ backend: b, succeeded: 3, failed: 0 })), true);
    const lapsed = await router.acquireBlock(2, callMs, undefined, 200);
    if (!('block' in lapsed)) throw new Error('no block');
    await new Promise((r) => setTimeout(r, 200 + callMs + REPORT_GRACE_MS + 1_000));
    const status = await router.status();
    const lapsedBackends = new Set(lapsed.routes.map((r) => r.backend));
    for (const b of status) expect(b.missedReports).toBe(lapsedBackends.has(b.backend) ? 1 : 0);
    expect(status.reduce((n, b) => n + b.dispatched, 0)).toBe(backends.length * 3);
  });

  it('failures reported on a block open the circuit, and the next block leaves that backend out', async () => {
    const router = env.ROUTER_COUNTER.get(env.ROUTER_COUNTER.idFromName(crypto.randomUUID()));
    const block = await router.acquireBlock(8, 1_000);
    if (!('block' in block)) throw new Error('no block');
    const bad = block.routes[0]!.backend;
    const { notClosed } = await router.reportBlock(block.block, [{ backend: bad, succeeded: 0, failed: 6 }], true);
    expect(notClosed).toEqual([bad]);
    const next = await router.acquireBlock(8, 1_000);
    const status = await router.status();
    if (status.length === 1) expect(next).toHaveProperty('wait');
    else if ('routes' in next) expect(next.routes.every((r) => r.backend !== bad)).toBe(true);
    expect(status[bad]!.state).toBe('open');
  });

  it('a job leases its routes in blocks: RouterCounter sees a few requests per block, not two per chunk', async () => {
    const jobId = crypto.randomUUID();
    const stub: DurableObjectStub<TtsJobDurableObject> = env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId));
    const text = Array.from({ length: 48 }, (_, i) => `Short sentence number ${i}.`).join('\n\n');
    const init = unwrap((await stub.initializeJob({ jobId, text, voiceId: 'espeak:en-us', splittingPreference: 'sentence', growChars: 0 })) as Result<InitializedJob>);
    expect(init.totalSentences).toBe(48);
    for (let t = Date.now(); Date.now() - t < 60_000; ) {
      if ((await stub.getJobState())?.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await stub.getJobState())?.status).toBe('completed');
    const requests = await runInDurableObject(stub, (instance) => (instance as unknown as { dispatcher: { routes: { requests: number } } }).dispatcher.routes.requests);
    // Two per chunk before blocks (96); now an acquire and a report per block of up to 16 routes.
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThanOrEqual(16);
  });
});
