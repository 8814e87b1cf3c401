// Small helpers for the test HTTP servers (fault proxy, Google double) and clients.
import type { IncomingMessage } from 'node:http';

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/**
 * fetch for an idempotent request, sent once more when the server closed the
 * kept-alive connection just as the request went out on it (undici: "other side
 * closed", UND_ERR_SOCKET). A loaded machine leaves connections idle past the
 * server's keep-alive timeout between a test's requests.
 */
export async function fetchIdempotent(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw e;
    console.warn(`fetchIdempotent: the kept-alive connection was closed under the request to ${url}; sending it again`);
    return fetch(url, init);
  }
}
