// followJobEvents against a scripted local SSE server: resume with
// Last-Event-ID after a dropped connection, the bounded give-up, a failed job.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSseEvent } from '../core/sse.ts';
import { LectorClient } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import { followJobEvents, type JobStreamEvent } from './events.ts';

const JOB = '3f2b9c1e-5d7a-4e0b-9c4f-2a6d8e1f0b3c';
const job = (total: number) => formatSseEvent('job', { jobId: JOB, total, overallOrchestratorTimeoutMs: 1000, status: 'processing' });
const chunk = (index: number) =>
  formatSseEvent('message', { index, mimeType: 'audio/wav', url: `/c/${index}`, durationMs: 100, text: `s${index}`, paragraphStart: false }, index);

type Handler = (req: IncomingMessage, res: ServerResponse, connection: number) => void;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(handler: Handler): Promise<LectorClient> {
  let connection = 0;
  server = createServer((req, res) => handler(req, res, connection++));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return new LectorClient({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'k1' });
}

function sse(res: ServerResponse, ...frames: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const f of frames) res.write(f);
}

async function collect(client: LectorClient, opts: Partial<Parameters<typeof followJobEvents>[2]> = {}): Promise<JobStreamEvent[]> {
  const out: JobStreamEvent[] = [];
  for await (const ev of followJobEvents(client, JOB, { signal: new AbortController().signal, initialBackoffMs: 10, maxBackoffMs: 50, ...opts })) out.push(ev);
  return out;
}

const summary = (evs: JobStreamEvent[]) => evs.map((e) => (e.type === 'chunk' ? `chunk ${e.data.index}` : e.type));

describe('followJobEvents', () => {
  it('reconnects after a dropped connection with Last-Event-ID and misses nothing', async () => {
    const seen: (string | undefined)[] = [];
    const client = await serve((req, res, n) => {
      seen.push(req.headers['last-event-id'] as string | undefined);
      expect(req.headers.authorization).toBe('Bearer k1');
      if (n === 0) {
        sse(res, job(3), chunk(0), chunk(1));
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"backend_unavailable","message":"restarting"}}');
      } else {
        sse(res, job(3), chunk(2), formatSseEvent('end', { jobId: JOB, status: 'completed', total: 3 }));
        res.end();
      }
    });
    const evs = await collect(client);
    expect(seen).toEqual([undefined, '1', '1']);
    expect(summary(evs)).toEqual(['job', 'chunk 0', 'chunk 1', 'reconnecting', 'reconnecting', 'reconnected', 'job', 'chunk 2', 'end']);
  });

  it('treats a silent stream as dropped', async () => {
    const client = await serve((_req, res, n) => {
      if (n === 0) sse(res, job(1)); // then nothing, not even heartbeats
      else sse(res, job(1), chunk(0), formatSseEvent('end', { jobId: JOB, status: 'completed', total: 1 }));
    });
    const evs = await collect(client, { idleTimeoutMs: 100 });
    const reconnect = evs.find((e) => e.type === 'reconnecting');
    expect(reconnect && reconnect.type === 'reconnecting' && reconnect.reason).toMatch(/no data/);
    expect(evs.at(-1)?.type).toBe('end');
  });

  it('gives up after the reconnect window with a clear message', async () => {
    const client = await serve((_req, res, n) => {
      if (n === 0) {
        sse(res, job(2), chunk(0));
        setTimeout(() => res.socket?.destroy(), 20);
      } else res.socket?.destroy();
    });
    const started = Date.now();
    const e = await collect(client, { reconnectWindowMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(EXIT.unreachable);
    expect((e as CliError).message).toMatch(/could not reconnect within 0.3 s: /);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops at once when the job is gone on reconnect', async () => {
    const client = await serve((_req, res, n) => {
      if (n === 0) {
        sse(res, job(2), chunk(0));
        setTimeout(() => res.socket?.destroy(), 20);
      } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"job_not_found","message":"no such job"}}');
    });
    const e = (await collect(client).catch((x: unknown) => x)) as CliError;
    expect(e.exitCode).toBe(EXIT.rejected);
    expect(e.code).toBe('job_not_found');
  });

  it('reports a failed job with its reason', async () => {
    const client = await serve((_req, res) => {
      sse(res, job(2), chunk(0), formatSseEvent('error', { code: 'job_failed', message: 'chunk 1: synthesis_failed after 5 attempts' }));
      res.end();
    });
    const e = (await collect(client).catch((x: unknown) => x)) as CliError;
    expect(e.exitCode).toBe(EXIT.jobFailed);
    expect(e.message).toContain('chunk 1: synthesis_failed after 5 attempts');
  });

  it('fails fast when the server cannot be reached at all', async () => {
    const client = await serve((_req, res) => res.end());
    const url = client.serverUrl;
    server!.close();
    const e = (await collect(new LectorClient({ serverUrl: url })).catch((x: unknown) => x)) as CliError;
    expect(e.exitCode).toBe(EXIT.unreachable);
    expect(e.message).toContain('ECONNREFUSED');
  });
});
