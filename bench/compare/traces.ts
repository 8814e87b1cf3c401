// Counts edge invocations exactly: the stack runner's bench-only Tail Worker
// (bench/tail/index.ts, started with `tailCollectorUrl`) posts one row per
// invocation of the orchestrator, its Durable Objects and the backend Worker
// to this collector on 127.0.0.1.
import { createServer } from 'node:http';

export interface TraceRow {
  script: string | null;
  /** `fetch`, `alarm`, `rpc`... (the keys of the trace's event). */
  kind: string;
  /** The class or entrypoint invoked: `TtsJobDurableObject`, `RouterCounter`, `BackendEntrypoint`... */
  entrypoint: string | null;
}

export interface TraceCollector {
  url: string;
  rows: TraceRow[];
  close(): Promise<void>;
}

export async function startTraceCollector(): Promise<TraceCollector> {
  const rows: TraceRow[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      try {
        rows.push(...(JSON.parse(body) as TraceRow[]));
      } catch (e) {
        console.error(`trace collector: ignoring a malformed batch: ${String(e)}`);
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/`, rows, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Durable Object classes of the orchestrator. */
const DURABLE_OBJECTS = new Set(['TtsJobDurableObject', 'RouterCounter', 'UsageLimiter', 'JobLibrary']);

export interface InvocationCounts {
  invocations: number;
  doRequests: number;
  alarms: number;
  backendCalls: number;
  byEntrypoint: Record<string, number>;
}

export function countInvocations(rows: readonly TraceRow[]): InvocationCounts {
  const byEntrypoint: Record<string, number> = {};
  for (const r of rows) {
    const key = `${r.entrypoint ?? r.script ?? '?'}.${r.kind}`;
    byEntrypoint[key] = (byEntrypoint[key] ?? 0) + 1;
  }
  return {
    invocations: rows.length,
    doRequests: rows.filter((r) => r.entrypoint !== null && DURABLE_OBJECTS.has(r.entrypoint)).length,
    // An alarm's trace event is `{ scheduledTime }`.
    alarms: rows.filter((r) => r.kind.includes('alarm') || (r.entrypoint === 'TtsJobDurableObject' && r.kind === 'scheduledTime')).length,
    backendCalls: rows.filter((r) => r.entrypoint === 'BackendEntrypoint').length,
    byEntrypoint,
  };
}
