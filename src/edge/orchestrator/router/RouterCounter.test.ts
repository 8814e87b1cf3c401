// RouterCounter's breaker accounting (issue 10 item 6), in workerd with the real
// backend Worker: concurrent first calls share one load, and a job's batched
// success reports reach the breaker before the ticket's deadline.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type Result, unwrap } from '../../../core/result.ts';
import type { InitializedJob, TtsJobDurableObject } from '../job/TtsJobDurableObject.ts';
import type { RouteOutcome } from './RouterCounter.ts';
import { REPORT_GRACE_MS, routerStub } from './RouterCounter.ts';

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

  it("a job's batched success report reaches the breaker before the ticket's deadline, even while its pump runs", { timeout: 30_000 }, async () => {
    const jobId = crypto.randomUUID();
    const stub: DurableObjectStub<TtsJobDurableObject> = env.TTS_JOB_DO.get(env.TTS_JOB_DO.idFromName(jobId));
    unwrap((await stub.initializeJob({ jobId, text: 'One line.', voiceId: 'espeak:en-us', splittingPreference: 'sentence', autoStart: false })) as Result<InitializedJob>);
    const callMs = 200;
    const route = await routerStub(env).acquire(callMs);
    if (!('ticket' in route)) throw new Error('no route');
    const missedBefore = (await routerStub(env).status())[route.backend]!.missedReports;
    await runInDurableObject(stub, (instance) => {
      const d = (instance as unknown as { dispatcher: { pumping: number; recordOutcome(o: RouteOutcome): void } }).dispatcher;
      // A pump is running (waiting on slower chunks): the success joins a batch.
      d.pumping++;
      d.recordOutcome({ ticket: route.ticket, success: true });
    });
    await new Promise((r) => setTimeout(r, callMs + REPORT_GRACE_MS + 1_000));
    const after = (await routerStub(env).status())[route.backend]!;
    expect(after.missedReports).toBe(missedBefore);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { dispatcher: { pumping: number } }).dispatcher.pumping--;
    });
  });
});
