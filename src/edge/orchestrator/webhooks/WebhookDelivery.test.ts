// WebhookDelivery inside workerd with the real job Durable Object: a cancelled
// and a failed job each store their event in the job's delivery object (via the
// JobEvents listener); a job without a webhook stores nothing; an event is kept
// once per type; an unreachable receiver is retried later; an event past its
// deadline is abandoned; the watch finds an end whose announcement was lost,
// and forgets a deleted job.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { unwrap, type Result } from '../../../core/result.ts';
import type { InitializedJob, TtsJobDurableObject } from '../job/TtsJobDurableObject.ts';
import { deliveryStub, type DeliveryStatus } from './WebhookDelivery.ts';

/** Nothing listens here: every attempt fails to connect. */
const DEAD_URL = 'http://127.0.0.1:1/hook';

async function jobWithWebhook(subscribe: boolean) {
  const jobId = crypto.randomUUID();
  const id = env.TTS_JOB_DO.idFromName(jobId);
  const stub = env.TTS_JOB_DO.get(id) as DurableObjectStub<TtsJobDurableObject>;
  const delivery = deliveryStub(env, id.toString());
  if (subscribe) await delivery.register({ url: DEAD_URL, secret: 'a-secret-of-enough-length', jobId, jobObjectId: id.toString() }, Date.now() + 3_600_000);
  // Hold dispatch so the job is still running when the test ends it.
  await runInDurableObject(stub, (inst) => {
    (inst as unknown as { dispatcher: { hold: object } }).dispatcher.hold = { holdUntil: Number.MAX_SAFE_INTEGER, consecutiveFailures: 0, outageSince: 0 };
  });
  unwrap((await stub.initializeJob({ jobId, text: 'One. Two. Three.', voiceId: 'espeak:en-us', splittingPreference: 'sentence' })) as Result<InitializedJob>);
  return { jobId, stub, delivery };
}

async function eventually(delivery: ReturnType<typeof deliveryStub>, ok: (s: DeliveryStatus | null) => boolean): Promise<DeliveryStatus | null> {
  for (const end = Date.now() + 30_000; ; ) {
    const s = await delivery.status();
    if (ok(s) || Date.now() > end) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('WebhookDelivery', () => {
  it('a cancelled job stores job.cancelled once; an unreachable receiver is retried later, and abandoned past the deadline', async () => {
    const { jobId, stub, delivery } = await jobWithWebhook(true);
    await stub.updateJobStatus({ status: 'cancelled' });
    const s = await eventually(delivery, (x) => (x?.events[0]?.attempts ?? 0) >= 1);
    expect(s?.url).toBe(DEAD_URL);
    expect(JSON.stringify(s)).not.toContain('a-secret-of-enough-length');
    expect(s?.events).toHaveLength(1);
    expect(s?.events[0]).toMatchObject({ type: 'job.cancelled', state: 'pending', attempts: 1, lastStatus: null, lastError: 'could not connect' });
    expect(s!.events[0]!.nextAttemptAt!).toBeGreaterThan(Date.now());
    // The job announcing again (as after a restart) does not make a second event.
    expect(await delivery.jobSettled('job.cancelled', { status: 'cancelled' })).toBe(true);
    const again = await delivery.status();
    expect(again?.events.map((e) => e.id)).toEqual([s!.events[0]!.id]);
    const body = await runInDurableObject(delivery, async (_i, st) => JSON.parse((await st.storage.get<{ body: string }>('event:job.cancelled'))!.body) as { data: Record<string, unknown> });
    expect(body.data).toMatchObject({ jobId, status: 'cancelled', totalChunks: 3 });

    // Past the 24 h deadline, the next failure abandons the event.
    await runInDurableObject(delivery, async (_i, st) => {
      const e = (await st.storage.get<{ createdAt: number; nextAt: number }>('event:job.cancelled'))!;
      await st.storage.put('event:job.cancelled', { ...e, createdAt: Date.now() - 25 * 3_600_000, nextAt: Date.now() });
    });
    expect(await runDurableObjectAlarm(delivery)).toBe(true);
    const last = await delivery.status();
    expect(last?.events[0]).toMatchObject({ state: 'abandoned', attempts: 2, nextAttemptAt: null });
  });

  it('a failed job stores job.failed with its reason', async () => {
    const { stub, delivery } = await jobWithWebhook(true);
    await stub.updateJobStatus({ status: 'failed', errorMessage: 'voice went away' });
    const s = await eventually(delivery, (x) => (x?.events.length ?? 0) > 0);
    expect(s?.events[0]?.type).toBe('job.failed');
    const body = await runInDurableObject(delivery, async (_i, st) => JSON.parse((await st.storage.get<{ body: string }>('event:job.failed'))!.body) as { data: Record<string, unknown> });
    expect(body.data).toMatchObject({ status: 'failed', error: 'voice went away' });
  });

  it('a job without a webhook stores nothing', async () => {
    const { stub, delivery } = await jobWithWebhook(false);
    await stub.updateJobStatus({ status: 'cancelled' });
    expect(await delivery.jobSettled('job.cancelled', {})).toBe(false);
    expect(await delivery.status()).toBeNull();
    expect(await runInDurableObject(delivery, async (_i, st) => (await st.storage.list()).size)).toBe(0);
  });

  it('the watch finds an end that was never announced, and forgets a job that is gone', async () => {
    const { stub, delivery } = await jobWithWebhook(true);
    await stub.updateJobStatus({ status: 'cancelled' });
    const first = await eventually(delivery, (x) => (x?.events[0]?.attempts ?? 0) >= 1);
    // As if the job's announcement had been lost: the delivery object has no event.
    await runInDurableObject(delivery, async (_i, st) => {
      await st.storage.delete('event:job.cancelled');
    });
    expect((await delivery.status())?.events).toEqual([]);
    expect(await runDurableObjectAlarm(delivery)).toBe(true);
    const found = await delivery.status();
    expect(found?.events).toEqual([expect.objectContaining({ type: 'job.cancelled', attempts: 1, state: 'pending' })]);
    expect(found!.events[0]!.id).not.toBe(first!.events[0]!.id);

    // Deleting a running job cancels it first: the subscriber hears job.cancelled.
    const deleted = await jobWithWebhook(true);
    await deleted.stub.deleteState();
    const ev = await eventually(deleted.delivery, (x) => (x?.events.length ?? 0) > 0);
    expect(ev?.events[0]?.type).toBe('job.cancelled');

    // A subscription whose job does not exist (its creation failed and the cleanup was lost) is forgotten by the watch.
    const orphanId = env.TTS_JOB_DO.idFromName(crypto.randomUUID());
    const orphan = deliveryStub(env, orphanId.toString());
    await orphan.register({ url: DEAD_URL, secret: 'a-secret-of-enough-length', jobId: crypto.randomUUID(), jobObjectId: orphanId.toString() }, Date.now() + 3_600_000);
    expect(await runDurableObjectAlarm(orphan)).toBe(true);
    expect(await orphan.status()).toBeNull();
    expect(await runInDurableObject(orphan, async (_i, st) => (await st.storage.list()).size)).toBe(0);
  });
});
