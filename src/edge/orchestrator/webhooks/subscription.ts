// The two ends of a job's webhook: the creating request subscribes it
// (`webhook: { url, secret }` in the JSON body, checked against the address
// policy) before the job starts, and the job's Durable Object tells the
// delivery object when the job settles. The secret is stored only in the
// delivery object: never logged, never answered.
import { z } from 'zod';
import { LectorError } from '../../../core/errors.ts';
import type { JobListener } from '../job/JobEvents.ts';
import { jobConfig } from '../job/config.ts';
import { checkWebhookUrl } from './address-policy.ts';
import { webhookConfig } from './config.ts';
import { deliveryStub } from './WebhookDelivery.ts';
import { eventData, eventType, type WebhookEventType } from './event.ts';

export interface WebhookSubscription {
  url: string;
  secret: string;
}

export const MIN_SECRET_LENGTH = 16;

export const webhookSchema = z.object({
  url: z.string().min(1).max(2048),
  secret: z.string().min(MIN_SECRET_LENGTH).max(256),
});

/** Validates `webhook` of a creation request: 400 `invalid_webhook` with the reason (never echoing the secret). */
export function parseWebhook(env: Env, raw: unknown): WebhookSubscription | undefined {
  if (raw === undefined) return undefined;
  const parsed = webhookSchema.safeParse(raw);
  if (!parsed.success) {
    const field = `webhook.${parsed.error.issues[0]?.path.join('.') || ''}`.replace(/\.$/, '');
    const why = field === 'webhook.secret' ? `a string of ${MIN_SECRET_LENGTH} to 256 characters` : 'an object { url, secret }';
    throw new LectorError('invalid_webhook', 400, `${field} must be ${why}`, { details: { field } });
  }
  const url = checkWebhookUrl(parsed.data.url, webhookConfig(env as unknown as Record<string, unknown>).allowPrivate);
  return { url: url.href, secret: parsed.data.secret };
}

/** Subscribes the job whose Durable Object has id `jobObjectId`; kept for the job's lifetime plus the delivery deadline. */
export async function subscribeJob(env: Env, jobObjectId: string, jobId: string, sub: WebhookSubscription): Promise<void> {
  const vars = env as unknown as Record<string, unknown>;
  const keepUntil = Date.now() + jobConfig(vars).ttlSeconds * 1000 + webhookConfig(vars).deadlineMs;
  await deliveryStub(env, jobObjectId).register({ url: sub.url, secret: sub.secret, jobId, jobObjectId }, keepUntil);
}

export async function unsubscribeJob(env: Env, jobObjectId: string): Promise<void> {
  await deliveryStub(env, jobObjectId).forget();
}

/** A few quick tries: the delivery object is in the same colo and rarely unreachable. */
async function notify(env: Env, jobObjectId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await deliveryStub(env, jobObjectId).jobSettled(type, data);
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** The job's listener: one call to the job's delivery object per terminal status, off the job's path. */
export function webhookListener(ctx: DurableObjectState, env: Env): JobListener {
  return {
    jobSettled: (job) => {
      const type = eventType(job.status);
      if (!type) return;
      const data = eventData({ jobId: job.job_id, status: job.status, total: job.total, completed: job.processed_count, failed: job.failed_count, error: job.error_message });
      ctx.waitUntil(notify(env, ctx.id.toString(), type, data).catch((e: unknown) => console.warn('webhook notify failed', job.job_id, String(e))));
    },
  };
}
