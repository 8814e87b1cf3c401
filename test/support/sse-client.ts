// Reads an SSE response body into events, for tests and tools.
import { SseParser, type SseEvent } from '../../src/core/sse.ts';

/** Collects events until `stopWhen` says so or the stream ends. */
export async function readSse(res: Response, stopWhen: (ev: SseEvent, all: SseEvent[]) => boolean = (ev) => ev.event === 'end' || ev.event === 'error', timeoutMs = 120_000): Promise<SseEvent[]> {
  if (!res.body) throw new Error('response has no body');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  const events: SseEvent[] = [];
  const timer = setTimeout(() => void reader.cancel(new Error('readSse timeout')), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const ev of parser.push(value)) {
        events.push(ev);
        if (stopWhen(ev, events)) {
          await reader.cancel();
          return events;
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}
