// API keys for the public API. With LECTOR_API_KEYS unset, the API is open
// (local development on 127.0.0.1); with it set, every /api and /v1 route but
// /api/health needs `Authorization: Bearer <key>` (or the page's `lector_key`
// cookie, since EventSource cannot send headers). Keys are compared by their
// SHA-256 digests in constant time and never logged.
import { LectorError } from '../../../core/errors.ts';

export interface Caller {
  /** Stable, non-secret id of the key (its name, or a digest prefix); null in open mode. */
  keyId: string | null;
}

interface KeyEntry {
  id: string;
  digest: Uint8Array;
}

const encoder = new TextEncoder();
let cache: { source: string; keys: KeyEntry[] } | undefined;

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)));
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A key's name in `name=key`: short, and without `:` (job objects are named `<keyId>:<jobId>`). */
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * One entry of `LECTOR_API_KEYS`: `name=key` when the part before the first `=`
 * is a name and a key follows; otherwise the whole entry is an unnamed key, so
 * base64 keys with `=` padding (`Zm9vYg==`) stay whole.
 */
export function parseKeyEntry(part: string): { name: string | null; key: string } {
  const eq = part.indexOf('=');
  if (eq > 0) {
    const name = part.slice(0, eq);
    const key = part.slice(eq + 1);
    if (KEY_NAME.test(name) && /[^=]/.test(key)) return { name, key };
  }
  return { name: null, key: part };
}

/** `LECTOR_API_KEYS`: comma-separated keys, each optionally `name=key`. */
async function configuredKeys(source: string): Promise<KeyEntry[]> {
  if (cache?.source === source) return cache.keys;
  const keys: KeyEntry[] = [];
  for (const part of source.split(',').map((p) => p.trim()).filter(Boolean)) {
    const { name, key } = parseKeyEntry(part);
    const d = await digest(key);
    keys.push({ id: name ?? `key-${hex(d).slice(0, 16)}`, digest: d });
  }
  cache = { source, keys };
  return keys;
}

function presentedKey(request: Request): string | null {
  const auth = request.headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1]! : null;
  }
  const cookie = request.headers.get('cookie');
  const m = cookie ? /(?:^|;\s*)lector_key=([^;]+)/.exec(cookie) : null;
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    // Bad percent-encoding: a key that matches nothing (401), not an unhandled URIError (500).
    throw new LectorError('unauthorized', 401, 'invalid API key');
  }
}

export async function authenticate(request: Request, apiKeys: string | undefined): Promise<Caller> {
  if (!apiKeys || !apiKeys.trim()) return { keyId: null };
  const keys = await configuredKeys(apiKeys);
  const presented = presentedKey(request);
  if (presented) {
    const d = await digest(presented);
    for (const k of keys) {
      if (crypto.subtle.timingSafeEqual(d, k.digest)) return { keyId: k.id };
    }
  }
  throw new LectorError('unauthorized', 401, presented ? 'invalid API key' : 'this API needs a key: send Authorization: Bearer <key>');
}
