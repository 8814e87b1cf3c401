// Small helpers for the test HTTP servers (fault proxy, Google double).
import type { IncomingMessage } from 'node:http';

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts);
}
