// Webhook settings from the Worker's environment (docs/webhooks-and-feeds.md).

export interface WebhookConfig {
  /** Local development only: POST to loopback and private addresses too. */
  allowPrivate: boolean;
  /** Backoff before the second attempt; doubles per attempt, with jitter. */
  retryBaseMs: number;
  /** Upper bound on one backoff. */
  retryMaxMs: number;
  /** An event not acknowledged this long after it happened is abandoned. */
  deadlineMs: number;
  /** One attempt waits this long for an answer. */
  timeoutMs: number;
  /** Until the job ends, its delivery object looks at it this often (a lost announcement is found). */
  watchMs: number;
}

export function webhookConfig(env: Partial<Record<string, unknown>>): WebhookConfig {
  return {
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE === '1' || env.WEBHOOK_ALLOW_PRIVATE === 'true',
    retryBaseMs: int(env.WEBHOOK_RETRY_BASE_MS, 10_000, 10, 3_600_000),
    retryMaxMs: int(env.WEBHOOK_RETRY_MAX_MS, 3_600_000, 10, 86_400_000),
    deadlineMs: int(env.WEBHOOK_DEADLINE_SECONDS, 86_400, 1, 7 * 86_400) * 1000,
    timeoutMs: int(env.WEBHOOK_TIMEOUT_MS, 15_000, 100, 120_000),
    watchMs: int(env.WEBHOOK_WATCH_SECONDS, 600, 1, 86_400) * 1000,
  };
}

function int(v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new TypeError(`invalid webhook setting ${String(v)}: expected an integer in [${min}, ${max}]`);
  return n;
}
