// One connection to a job's event stream that keeps what it received when the
// connection dies (server restart, client abort), so a test can reconnect with
// Last-Event-ID and account for every event across connections.
import { SseParser, type SseEvent } from '../../src/core/sse.ts';

export interface SseSession {
  /** Events received so far on this connection. */
  events: SseEvent[];
  /** Resolves when the connection ends: `end`/`error` event, server close, failure or abort. */
  done: Promise<{ reason: 'settled' | 'closed' | 'failed' | 'aborted'; error?: unknown }>;
  /** Drops the connection from the client side. */
  abort(): void;
}

export interface SseSessionOptions {
  /** Sent as Last-Event-ID (resume after this chunk index). */
  lastEventId?: string;
  /** Called for each event; return true to disconnect right after it. */
  onEvent?: (ev: SseEvent, session: SseSession) => boolean | void;
  /** POST body for `/api/tts-stream`; without it the session GETs `url`. */
  body?: unknown;
}

export function openSse(url: string, opts: SseSessionOptions = {}): SseSession & { response: Promise<Response> } {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const response = fetch(url, {
    method: opts.body !== undefined ? 'POST' : 'GET',
    headers,
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    signal: controller.signal,
  });
  let aborted = false;
  const session: SseSession & { response: Promise<Response> } = {
    events,
    response,
    abort: () => {
      aborted = true;
      controller.abort();
    },
    done: Promise.resolve({ reason: 'closed' }),
  };
  session.done = (async () => {
    try {
      const res = await response;
      if (!res.ok || !res.body) return { reason: 'failed' as const, error: new Error(`stream answered ${res.status}: ${await res.text()}`) };
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const bytes of res.body) {
        for (const ev of parser.push(decoder.decode(bytes as Uint8Array, { stream: true }))) {
          events.push(ev);
          if (opts.onEvent?.(ev, session) === true) {
            session.abort();
            return { reason: 'aborted' as const };
          }
          // Leaving the loop cancels the body: the connection closes from our side.
          if (ev.event === 'end' || ev.event === 'error') return { reason: 'settled' as const };
        }
      }
      return { reason: aborted ? ('aborted' as const) : ('closed' as const) };
    } catch (error) {
      return aborted ? { reason: 'aborted' as const } : { reason: 'failed' as const, error };
    }
  })();
  return session;
}

/** Chunk indexes of the `message` events, in arrival order. */
export function messageIndexes(events: readonly SseEvent[]): number[] {
  return events.filter((e) => e.event === 'message').map((e) => Number(e.id));
}
