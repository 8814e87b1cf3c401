// The Kokoro-FastAPI double (src/edge/backend/providers/testing/kokoroDouble.ts)
// as a local HTTP server on 127.0.0.1, for the backend Worker under `wrangler
// dev`. It follows Kokoro-FastAPI's request and response shapes as its source
// defines them; it is not Kokoro (the real server needs model files).
import { createServer, type Server } from 'node:http';
import { createKokoroDouble, type KokoroDouble } from '../../src/edge/backend/providers/testing/kokoroDouble.ts';
import { readBody } from './http.ts';

export { KOKORO_SAMPLE_RATE, KOKORO_VOICES } from '../../src/edge/backend/providers/testing/kokoroDouble.ts';

export interface KokoroDoubleServer extends Omit<KokoroDouble, 'fetch'> {
  url: string;
  close(): Promise<void>;
}

/** Serves a web-standard fetch handler on 127.0.0.1 (any free port). */
export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const response = await handler(new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, body }));
        const out: Record<string, string> = {};
        response.headers.forEach((v, k) => (out[k] = v));
        res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `double: ${String(e)}` }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startKokoroDouble(opts: Parameters<typeof createKokoroDouble>[0] = {}): Promise<KokoroDoubleServer> {
  const double = createKokoroDouble(opts);
  const served = await serveFetch(double.fetch);
  return { ...served, requests: double.requests, failNext: (status, times) => double.failNext(status, times) };
}
