// Follows one job's Server-Sent Event stream to its end. When the connection
// drops (or goes silent past the heartbeat), it reconnects with Last-Event-ID
// so no chunk is missed or repeated, backing off, and gives up when no
// connection has worked for `reconnectWindowMs`.
import type { ChunkEventData, EndEventData, ErrorEventData, JobEventData, ProgressEventData } from '../core/api/types.ts';
import { SseParser } from '../core/sse.ts';
import type { LectorClient } from './client.ts';
import { CliError, EXIT, describeNetworkError } from './errors.ts';

export type JobStreamEvent =
  | { type: 'job'; data: JobEventData }
  | { type: 'chunk'; data: ChunkEventData }
  | { type: 'progress'; data: ProgressEventData }
  | { type: 'reconnecting'; attempt: number; delayMs: number; reason: string }
  | { type: 'reconnected'; attempt: number }
  | { type: 'end'; data: EndEventData };

export interface FollowOptions {
  /** Aborts the stream (Ctrl-C). */
  signal: AbortSignal;
  /** Resume after this chunk index; undefined replays every chunk. */
  lastEventId?: string;
  /** Give up after this long without a working connection. Default 120 s. */
  reconnectWindowMs?: number;
  /** A stream silent this long is dead (the server sends a heartbeat every 15 s). Default 45 s. */
  idleTimeoutMs?: number;
  /** First reconnect delay; doubles up to `maxBackoffMs`. Default 250 ms. */
  initialBackoffMs?: number;
  /** Longest delay between reconnects. Default 5 s. */
  maxBackoffMs?: number;
}

export const FOLLOW_DEFAULTS = {
  reconnectWindowMs: 120_000,
  idleTimeoutMs: 45_000,
  initialBackoffMs: 250,
  maxBackoffMs: 5_000,
} as const;

class StreamLost extends Error {
  override readonly name = 'StreamLost';
}

/**
 * Yields the job's events in order and returns after `end`. Throws a CliError
 * when the job fails (`event: error`), when the server refuses the stream, or
 * when reconnecting did not work within the window.
 */
export async function* followJobEvents(client: LectorClient, jobId: string, opts: FollowOptions): AsyncGenerator<JobStreamEvent, void> {
  const o = { ...FOLLOW_DEFAULTS, ...definedOnly(opts) };
  const { signal } = opts;
  let lastEventId = opts.lastEventId;
  let connectedOnce = false;
  /** When the current outage began; undefined while connected. */
  let lostAt: number | undefined;
  let attempt = 0;
  let lastReason = '';
  const silence = `no data for ${seconds(o.idleTimeoutMs)}`;

  for (;;) {
    let res: Response | undefined;
    try {
      res = await client.openEvents(jobId, lastEventId, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      // The first connection fails fast; so does a refusal that retrying cannot fix.
      if (!connectedOnce || !retryable(e)) throw e;
      lastReason = e instanceof CliError ? e.message : describeNetworkError(e);
    }

    if (res && !res.body) lastReason = 'the server answered the event stream with an empty body';
    if (res?.body) {
      const parser = new SseParser();
      const idle = new AbortController();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const onAbort = (): void => void reader.cancel(signal.reason).catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      let idleTimer: ReturnType<typeof setTimeout> | undefined;
      const armIdle = (): void => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          idle.abort();
          void reader.cancel(new StreamLost('no data')).catch(() => undefined);
        }, o.idleTimeoutMs);
      };
      armIdle();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          armIdle();
          for (const ev of parser.push(value)) {
            if (ev.event === 'job') {
              if (lostAt !== undefined) yield { type: 'reconnected', attempt };
              connectedOnce = true;
              lostAt = undefined;
              attempt = 0;
              yield { type: 'job', data: JSON.parse(ev.data) as JobEventData };
            } else if (ev.event === 'message') {
              const data = JSON.parse(ev.data) as ChunkEventData;
              lastEventId = ev.id ?? String(data.index);
              yield { type: 'chunk', data };
            } else if (ev.event === 'progress') {
              yield { type: 'progress', data: JSON.parse(ev.data) as ProgressEventData };
            } else if (ev.event === 'end') {
              yield { type: 'end', data: JSON.parse(ev.data) as EndEventData };
              return;
            } else if (ev.event === 'error') {
              const data = JSON.parse(ev.data) as ErrorEventData;
              throw new CliError(EXIT.jobFailed, `job ${jobId} ${data.code === 'job_cancelled' ? 'was cancelled' : 'failed'}: ${data.message}`, {
                code: data.code,
              });
            }
          }
        }
        // A cancelled read ends the stream like a close does: say which it was.
        if (signal.aborted) throw signal.reason;
        lastReason = idle.signal.aborted ? silence : 'the server closed the event stream before the job ended';
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (e instanceof CliError) throw e;
        lastReason = idle.signal.aborted ? silence : `connection lost (${describeNetworkError(e)})`;
      } finally {
        clearTimeout(idleTimer);
        signal.removeEventListener('abort', onAbort);
        // Closes the connection whether we finished, failed or the consumer stopped early.
        void reader.cancel().catch(() => undefined);
      }
    }

    // Lost (or never re-established): wait and try again, within the window.
    const now = Date.now();
    lostAt ??= now;
    if (now - lostAt >= o.reconnectWindowMs) {
      throw new CliError(
        EXIT.unreachable,
        `lost the event stream of job ${jobId} and could not reconnect within ${seconds(o.reconnectWindowMs)}: ${lastReason}`,
        { hint: 'the job keeps running on the server; continue later with `lector resume`' },
      );
    }
    const delayMs = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt++;
    yield { type: 'reconnecting', attempt, delayMs, reason: lastReason };
    await sleep(Math.min(delayMs, lostAt + o.reconnectWindowMs - now), signal);
  }
}

/** Network failures, timeouts, 429 and 5xx may heal; other refusals will not. */
function retryable(e: unknown): boolean {
  if (!(e instanceof CliError)) return true;
  if (e.exitCode === EXIT.unreachable) return true;
  return e.status !== undefined && (e.status === 408 || e.status === 429 || e.status >= 500);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
