// CORS for the public API: same-origin by default (no CORS headers at all);
// CORS_ORIGINS lists the origins allowed to call it from a browser ("*" for any).
import type { MiddlewareHandler } from 'hono';
import { LectorError } from '../../../core/errors.ts';

export function corsPolicy(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const own = new URL(c.req.url).origin;
    if (!origin || origin === own) return next();
    const allowed = (c.env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const ok = allowed.includes('*') || allowed.includes(origin);
    const headers: Record<string, string> = ok
      ? {
          'access-control-allow-origin': allowed.includes('*') ? '*' : origin,
          'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, last-event-id',
          'access-control-expose-headers': 'x-lector-job-id, retry-after',
          'access-control-max-age': '600',
          vary: 'Origin',
        }
      : { vary: 'Origin' };
    if (c.req.method === 'OPTIONS') {
      if (!ok) return new LectorError('forbidden_origin', 403, `origin ${origin} may not call this API`).toResponse(headers);
      return new Response(null, { status: 204, headers });
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}
