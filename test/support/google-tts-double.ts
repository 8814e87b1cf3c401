// The Google Cloud Text-to-Speech double (src/edge/backend/providers/testing/
// googleDouble.ts) as a local HTTP server on 127.0.0.1, so the backend Worker
// under `wrangler dev` can use it as its `google` provider's baseUrl. It follows
// Google's documented request and response shapes; it is not Google.
import { createServer, type Server } from 'node:http';
import { createGoogleTtsDouble, type GoogleTtsDouble } from '../../src/edge/backend/providers/testing/googleDouble.ts';
import { readBody } from './http.ts';

export { DOUBLE_API_KEY, DOUBLE_VOICES, doublePcm, doubleWav, doubleMp3 } from '../../src/edge/backend/providers/testing/googleDouble.ts';

export interface GoogleTtsDoubleServer extends Omit<GoogleTtsDouble, 'fetch'> {
  /** Base URL to configure as the provider's `baseUrl`. */
  url: string;
  close(): Promise<void>;
}

export async function startGoogleTtsDouble(opts: { apiKey?: string } = {}): Promise<GoogleTtsDoubleServer> {
  const double = createGoogleTtsDouble(opts);
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const response = await double.fetch(new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, body }));
        const out: Record<string, string> = {};
        response.headers.forEach((v, k) => (out[k] = v));
        res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 500, message: `double: ${String(e)}`, status: 'INTERNAL' } }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: double.requests,
    failNext: (fault, times) => double.failNext(fault, times),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

