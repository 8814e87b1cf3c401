// API key parsing and checking inside workerd (crypto.subtle.timingSafeEqual is
// a Workers API): named and unnamed keys, base64 padding, malformed cookies.
import { describe, expect, it } from 'vitest';
import { LectorError } from '../../../core/errors.ts';
import { authenticate, parseKeyEntry } from './auth.ts';

const bearer = (key: string) => new Request('http://lector.test/api/voices', { headers: { authorization: `Bearer ${key}` } });

async function status(request: Request, keys: string): Promise<number | string> {
  try {
    const caller = await authenticate(request, keys);
    return caller.keyId ?? 'open';
  } catch (e) {
    if (e instanceof LectorError) return e.status;
    throw e;
  }
}

describe('LECTOR_API_KEYS parsing', () => {
  it('names `name=key` entries and keeps base64 keys with = padding whole', () => {
    expect(parseKeyEntry('alice=s3cret')).toEqual({ name: 'alice', key: 's3cret' });
    expect(parseKeyEntry('Zm9vYg==')).toEqual({ name: null, key: 'Zm9vYg==' });
    expect(parseKeyEntry('Zm9vYmE=')).toEqual({ name: null, key: 'Zm9vYmE=' });
    expect(parseKeyEntry('bob=Zm9vYg==')).toEqual({ name: 'bob', key: 'Zm9vYg==' });
    // Not a name (space, colon, too long): the whole entry is the key.
    expect(parseKeyEntry('a b=key')).toEqual({ name: null, key: 'a b=key' });
    expect(parseKeyEntry('a:b=key')).toEqual({ name: null, key: 'a:b=key' });
    expect(parseKeyEntry(`${'n'.repeat(65)}=key`).name).toBeNull();
  });

  it('accepts an unnamed base64 key whole, and not its padding as a key', async () => {
    const keys = 'abc==,alice=key-a';
    expect(await status(bearer('='), keys)).toBe(401);
    expect(await status(bearer('abc'), keys)).toBe(401);
    expect(await status(bearer('abc=='), keys)).toMatch(/^key-[0-9a-f]{16}$/);
    expect(await status(bearer('key-a'), keys)).toBe('alice');
  });

  it('answers a malformed cookie with 401, not an unhandled error', async () => {
    const req = new Request('http://lector.test/api/voices', { headers: { cookie: 'lector_key=%E0%A4%A' } });
    expect(await status(req, 'alice=key-a')).toBe(401);
    const good = new Request('http://lector.test/api/voices', { headers: { cookie: `x=1; lector_key=${encodeURIComponent('key-a')}` } });
    expect(await status(good, 'alice=key-a')).toBe('alice');
  });
});
