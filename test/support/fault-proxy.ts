// An HTTP proxy in front of the real synthesis service that injects faults:
// 500s, 429s with Retry-After, hangs, and 400s, by rate, per job or globally.
// Used by the edge tests and the chaos suite; counts every request it sees.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBody } from './http.ts';

export interface FaultPlan {
  /** Fraction of requests answered 500. */
  rate500?: number;
  /** Fraction answered 429 with `Retry-After: retryAfterSeconds`. */
  rate429?: number;
  retryAfterSeconds?: number;
  /** Fraction that never answer (until the client gives up). */
  rateHang?: number;
  /** Fraction answered 400 (a permanent failure). */
  rate400?: number;
  /** Answer every request 503 (the service "is down"). */
  down?: boolean;
}

export interface FaultProxy {
  url: string;
  /** Requests forwarded or answered, per job id (header x-lector-job), and in all. */
  counts(): { total: number; byJob: Record<string, number>; byChunk: Record<string, number> };
  setPlan(plan: FaultPlan, jobId?: string): void;
  /**
   * Runs before each synthesis request is answered or forwarded, with the request's
   * job, chunk and the job's request count so far (1-based); the request waits for it.
   * Faults tied to a job's progress (kill a worker every k requests) hook in here.
   */
  onSynthesis(hook: SynthesisHook | undefined): void;
  close(): Promise<void>;
}

export type SynthesisHook = (req: { job: string; chunk: string; jobRequests: number }) => void | Promise<void>;

export async function startFaultProxy(targetUrl: string, random: () => number = Math.random): Promise<FaultProxy> {
  const plans = new Map<string, FaultPlan>();
  let total = 0;
  const byJob: Record<string, number> = {};
  const byChunk: Record<string, number> = {};
  const hanging = new Set<ServerResponse>();
  let hook: SynthesisHook | undefined;

  const server: Server = createServer((req, res) => {
    if (req.url === '/__faults' && req.method === 'POST') {
      void readBody(req).then((b) => {
        const { jobId, plan } = JSON.parse(b.toString('utf8')) as { jobId?: string; plan: FaultPlan };
        plans.set(jobId ?? '*', plan);
        res.writeHead(204).end();
      });
      return;
    }
    if (req.url === '/__counts') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ total, byJob, byChunk }));
      return;
    }
    const job = String(req.headers['x-lector-job'] ?? '');
    const chunk = String(req.headers['x-lector-chunk'] ?? '');
    if (req.url?.startsWith('/v1/audio/speech')) {
      total++;
      if (job) byJob[job] = (byJob[job] ?? 0) + 1;
      if (job && chunk) byChunk[`${job}/${chunk}`] = (byChunk[`${job}/${chunk}`] ?? 0) + 1;
      const current = hook;
      if (!current) return void answer(req, res, job);
      void Promise.resolve()
        .then(() => current({ job, chunk, jobRequests: byJob[job] ?? 0 }))
        .catch((e: unknown) => console.error('fault proxy: synthesis hook failed', e))
        .then(() => answer(req, res, job));
      return;
    }
    void forward(targetUrl, req, res);
  });

  /** A synthesis request: the plan's fault, if one is drawn, else forwarded. */
  function answer(req: IncomingMessage, res: ServerResponse, job: string): void {
    const plan = plans.get(job) ?? plans.get('*') ?? {};
    if (plan.down) return void res.writeHead(503, { 'retry-after': '1' }).end('{"error":{"message":"down"}}');
    let r = random();
    const take = (p: number | undefined) => {
      const hit = r < (p ?? 0);
      r -= p ?? 0;
      return hit;
    };
    if (take(plan.rate400)) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"injected permanent failure","type":"invalid_request_error","code":"injected"}}');
    if (take(plan.rate500)) return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"injected failure"}}');
    if (take(plan.rate429)) return void res.writeHead(429, { 'retry-after': String(plan.retryAfterSeconds ?? 1), 'content-type': 'application/json' }).end('{"error":{"message":"injected rate limit"}}');
    if (take(plan.rateHang)) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    void forward(targetUrl, req, res);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ total, byJob: { ...byJob }, byChunk: { ...byChunk } }),
    setPlan: (plan, jobId) => void plans.set(jobId ?? '*', plan),
    onSynthesis: (h) => {
      hook = h;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}


async function forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A client that gives up (the edge timed out) cancels the upstream request too.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const upstream = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body, signal: abort.signal });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding') out[k] = v;
    });
    const buf = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, out).end(buf);
  } catch (e) {
    if (abort.signal.aborted) return;
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `proxy: ${String(e)}` } }));
  }
}
