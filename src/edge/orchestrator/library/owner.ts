// Whose shelf a request reads and writes. With API keys on, the key's; in open
// mode, the browser's: a random `lector_client` cookie the server sets on the
// first API answer without one (no account, no secret: on an open server
// anyone may read any job whose id they know anyway).
import type { MiddlewareHandler } from 'hono';
import { isJobId } from '../../../core/ids.ts';
import type { AppEnv } from '../api/app-env.ts';
import type { Caller } from '../security/auth.ts';

export const CLIENT_COOKIE = 'lector_client';
const ONE_YEAR_S = 365 * 86_400;

/** Client ids minted during a request that came without the cookie. */
const minted = new WeakMap<Request, string>();

function cookieClient(request: Request): string | null {
  const cookie = request.headers.get('cookie');
  const m = cookie ? new RegExp(`(?:^|;\\s*)${CLIENT_COOKIE}=([^;]+)`).exec(cookie) : null;
  return m && isJobId(m[1]!) ? m[1]! : null;
}

/** The owner key of the caller's `JobLibrary`. */
export function libraryOwner(request: Request, caller: Caller): string {
  if (caller.keyId !== null) return `key:${caller.keyId}`;
  let client = cookieClient(request) ?? minted.get(request);
  if (!client) {
    client = crypto.randomUUID();
    minted.set(request, client);
  }
  return `client:${client}`;
}

/** In open mode, gives a browser without a `lector_client` cookie one (on whichever API answer first needs it). */
export function clientCookie(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const client = minted.get(c.req.raw);
    if (!client) return;
    const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
    const value = `${CLIENT_COOKIE}=${client}; Path=/; Max-Age=${ONE_YEAR_S}; HttpOnly; SameSite=Strict${secure}`;
    try {
      c.res.headers.append('set-cookie', value);
    } catch {
      // Headers of a response passed through from a binding are immutable: copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.append('set-cookie', value);
    }
  };
}

/** The stub of the caller's `JobLibrary`. */
export function libraryStub(env: Env, request: Request, caller: Caller) {
  return env.JOB_LIBRARY.get(env.JOB_LIBRARY.idFromName(libraryOwner(request, caller)));
}
