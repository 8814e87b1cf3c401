// A web-standard fetch handler (Request → Response) served over HTTP on
// 127.0.0.1, so the backend Worker under `wrangler dev` can reach a provider
// double at a local baseUrl.
import { createServer, type Server } from 'node:http';
import { readBody } from './http.ts';

export interface ServedFetch {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `handler` on any free port. When it throws, the answer is a 500 with
 * `internalError(message)` as its JSON body, in the shape the imitated server uses
 * (FastAPI's `{ detail }` unless told otherwise).
 */
export async function serveFetch(handler: (request: Request) => Promise<Response>, internalError: (message: string) => unknown = (message) => ({ detail: message })): Promise<ServedFetch> {
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
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(internalError(`double: ${String(e)}`)));
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
