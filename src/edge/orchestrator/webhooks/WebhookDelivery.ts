// One job's webhook: the subscriber's URL and secret, and each terminal event
// of the job until the subscriber acknowledges it with a 2xx. One object per
// job, with its own alarm, so a slow or failing receiver never holds up the
// job's Durable Object. Delivery is at least once: an event stays pending
// until a 2xx answer or the deadline; retries reuse the event's id. Until the
// job has ended, the alarm also looks at the job now and then, so an end whose
// announcement was lost on the way here is still delivered.
import { DurableObject } from 'cloudflare:workers';
import { backoffDelayMs, parseRetryAfter, type RetryPolicy } from '../../../core/retry.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { webhookConfig, type WebhookConfig } from './config.ts';
import { eventData, eventType, type WebhookEventType } from './event.ts';

export type { WebhookEventType } from './event.ts';

export interface WebhookTarget {
  url: string;
  secret: string;
  jobId: string;
  /** The job's Durable Object id (hex), for the watch. */
  jobObjectId: string;
}

/** One event as the subscriber sees it (the POSTed JSON body). */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: Record<string, unknown>;
}

export type DeliveryState = 'pending' | 'delivered' | 'abandoned';

interface StoredEvent {
  id: string;
  type: WebhookEventType;
  body: string;
  createdAt: number;
  attempts: number;
  nextAt: number;
  state: DeliveryState;
  lastStatus: number | null;
  lastError: string | null;
  settledAt: number | null;
}

/** What the API shows of a job's webhook (never the secret). */
export interface DeliveryStatus {
  url: string;
  events: { id: string; type: WebhookEventType; state: DeliveryState; attempts: number; lastStatus: number | null; lastError: string | null; nextAttemptAt: number | null }[];
}

interface StoredTarget extends WebhookTarget {
  /** Nothing settled by then: the job is gone, the object forgets everything. */
  keepUntil: number;
}

export class WebhookDelivery extends DurableObject<Env> {
  private readonly config: WebhookConfig;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = webhookConfig(env as unknown as Record<string, unknown>);
  }

  /** Subscribes the job (before it is started, so no event can come first). */
  async register(target: WebhookTarget, keepUntil: number): Promise<void> {
    await this.ctx.storage.put('target', { ...target, keepUntil } satisfies StoredTarget);
    await this.ctx.storage.setAlarm(Math.min(keepUntil, Date.now() + this.config.watchMs));
  }

  /** The job could not be created after all. */
  async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /**
   * The job reached a terminal status. Each event type is kept once: the job
   * may announce its settlement again after a restart, the subscriber hears it once
   * (or more, only if an acknowledgement was lost). No subscription: nothing is stored.
   */
  async jobSettled(type: WebhookEventType, data: Record<string, unknown>): Promise<boolean> {
    const target = await this.ctx.storage.get<StoredTarget>('target');
    if (!target) return false;
    if (await this.ctx.storage.get(`event:${type}`)) return true;
    const now = Date.now();
    const event: WebhookEvent = { id: crypto.randomUUID(), type, createdAt: new Date(now).toISOString(), data: { jobId: target.jobId, ...data } };
    const stored: StoredEvent = {
      id: event.id, type, body: JSON.stringify(event), createdAt: now, attempts: 0, nextAt: now,
      state: 'pending', lastStatus: null, lastError: null, settledAt: null,
    };
    await this.ctx.storage.put(`event:${type}`, stored);
    await this.ctx.storage.setAlarm(now);
    return true;
  }

  async status(): Promise<DeliveryStatus | null> {
    const target = await this.ctx.storage.get<StoredTarget>('target');
    if (!target) return null;
    const events = [...(await this.events()).values()].map((e) => ({
      id: e.id, type: e.type, state: e.state, attempts: e.attempts, lastStatus: e.lastStatus, lastError: e.lastError,
      nextAttemptAt: e.state === 'pending' ? e.nextAt : null,
    }));
    return { url: target.url, events };
  }

  override async alarm(): Promise<void> {
    const target = await this.ctx.storage.get<StoredTarget>('target');
    if (!target) return;
    let events = await this.events();
    if (events.size === 0 && Date.now() < target.keepUntil && !(await this.watch(target))) {
      await this.ctx.storage.deleteAll();
      return;
    }
    for (const [key, e] of await this.events()) {
      if (e.state === 'pending' && e.nextAt <= Date.now()) await this.ctx.storage.put(key, await this.attempt(target, e));
    }
    events = await this.events();
    const pending = [...events.values()].filter((e) => e.state === 'pending');
    if (pending.length > 0) {
      await this.ctx.storage.setAlarm(Math.min(...pending.map((e) => e.nextAt)));
    } else if (events.size === 0 && Date.now() < target.keepUntil) {
      await this.ctx.storage.setAlarm(Math.min(target.keepUntil, Date.now() + this.config.watchMs));
    } else if (Date.now() >= target.keepUntil) {
      await this.ctx.storage.deleteAll();
    } else {
      await this.ctx.storage.setAlarm(target.keepUntil);
    }
  }

  /**
   * Asks the job how it stands; an end it reached is stored as its event (as if
   * announced). False when the job is gone (deleted or expired): nothing will come.
   */
  private async watch(target: StoredTarget): Promise<boolean> {
    const job = this.env.TTS_JOB_DO.get(this.env.TTS_JOB_DO.idFromString(target.jobObjectId));
    const state = await job.getJobState(false);
    if (!state) return false;
    const type = eventType(state.status);
    if (type) {
      const failed = state.counts.failed ?? 0;
      await this.jobSettled(type, eventData({ jobId: state.jobId, status: state.status, total: state.totalSentences, completed: state.processedSentenceCount, failed, error: state.errorMessage }));
    }
    return true;
  }

  /** One POST, signed afresh (new timestamp, same body and id); the outcome decides the next. */
  private async attempt(target: StoredTarget, e: StoredEvent): Promise<StoredEvent> {
    const next = { ...e, attempts: e.attempts + 1 };
    let status = 0;
    let retryAfter: number | undefined;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        body: e.body,
        // A redirect could lead past the address policy: a 3xx counts as a failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Lector-Webhooks/1',
          'x-lector-event': e.type,
          'x-lector-delivery': e.id,
          [SIGNATURE_HEADER]: await signatureHeader(target.secret, e.body, Math.floor(Date.now() / 1000)),
        },
      });
      status = res.status;
      retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      await res.body?.cancel();
      next.lastError = null;
    } catch (err) {
      next.lastError = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.config.timeoutMs} ms` : 'could not connect';
    }
    next.lastStatus = status || null;
    const now = Date.now();
    if (status >= 200 && status < 300) return { ...next, state: 'delivered', settledAt: now };
    const delay = backoffDelayMs(next.attempts, this.policy(), retryAfter);
    if (now + delay > e.createdAt + this.config.deadlineMs) {
      console.warn('webhook abandoned after deadline', e.type, e.id, next.attempts, 'attempts');
      return { ...next, state: 'abandoned', settledAt: now };
    }
    return { ...next, nextAt: now + delay };
  }

  private policy(): RetryPolicy {
    return { maxAttempts: Number.MAX_SAFE_INTEGER, baseDelayMs: this.config.retryBaseMs, maxDelayMs: this.config.retryMaxMs };
  }

  private async events(): Promise<Map<string, StoredEvent>> {
    return this.ctx.storage.list<StoredEvent>({ prefix: 'event:' });
  }
}

/** The delivery object of a job, named after the job's own Durable Object id. */
export function deliveryStub(env: Env, jobObjectId: string) {
  return env.WEBHOOK_DELIVERY.get(env.WEBHOOK_DELIVERY.idFromName(`job:${jobObjectId}`));
}
