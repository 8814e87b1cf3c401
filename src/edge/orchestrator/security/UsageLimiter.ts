// Per-API-key limits: concurrent jobs and characters per UTC day. One Durable
// Object per key keeps the count exact; jobs release their slot when they end.
import { DurableObject } from 'cloudflare:workers';

export interface UsageLimits {
  /** Jobs of one key running at once. */
  maxConcurrentJobs: number;
  /** Characters one key may submit per UTC day. */
  maxCharsPerDay: number;
  /** A slot never released (its job vanished) is freed after this long. */
  staleAfterMs: number;
}

export type Admission = { ok: true } | { ok: false; reason: 'concurrency' | 'daily_characters'; retryAfterSeconds: number; message: string };

const DAY_MS = 86_400_000;

export class UsageLimiter extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS usage_job (
      job_id TEXT PRIMARY KEY, chars INTEGER NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER)`);
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS usage_job_started ON usage_job (started_at)');
  }

  /** Admits a job of `chars` characters now, or says why not and when to retry. */
  async admit(jobId: string, chars: number, limits: UsageLimits): Promise<Admission> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const dayStart = now - (now % DAY_MS);
    sql.exec('DELETE FROM usage_job WHERE started_at < ?', dayStart - DAY_MS);
    const active = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM usage_job WHERE ended_at IS NULL AND started_at > ?', now - limits.staleAfterMs).one().n;
    if (active >= limits.maxConcurrentJobs) {
      return { ok: false, reason: 'concurrency', retryAfterSeconds: 10, message: `at most ${limits.maxConcurrentJobs} jobs may run at once for this key` };
    }
    const used = sql.exec<{ n: number | null }>('SELECT SUM(chars) AS n FROM usage_job WHERE started_at >= ?', dayStart).one().n ?? 0;
    if (used + chars > limits.maxCharsPerDay) {
      return {
        ok: false,
        reason: 'daily_characters',
        retryAfterSeconds: Math.ceil((dayStart + DAY_MS - now) / 1000),
        message: `this key may submit ${limits.maxCharsPerDay} characters per day; ${used} used, this job has ${chars}`,
      };
    }
    sql.exec('INSERT OR REPLACE INTO usage_job (job_id, chars, started_at) VALUES (?, ?, ?)', jobId, chars, now);
    return { ok: true };
  }

  /** The job ended (completed, failed, cancelled, deleted): free its slot. Idempotent. */
  async release(jobId: string): Promise<void> {
    this.ctx.storage.sql.exec('UPDATE usage_job SET ended_at = ? WHERE job_id = ? AND ended_at IS NULL', Date.now(), jobId);
  }

  /** A job that never started (refused input) gives back its characters too. */
  async forget(jobId: string): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM usage_job WHERE job_id = ?', jobId);
  }
}
