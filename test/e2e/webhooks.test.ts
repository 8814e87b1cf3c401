// Completion webhooks on the real stack: a receiver on 127.0.0.1 (allowed by
// WEBHOOK_ALLOW_PRIVATE=1) checks every signature with the documented recipe
// (node:crypto, not Lector's signer); a receiver that fails twice gets the event
// again with the same id until it answers 200, then never again; a receiver
// that takes over 10 s does not hold up the job; without WEBHOOK_ALLOW_PRIVATE,
// loopback, private and metadata addresses are refused with 400 invalid_webhook.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobResponse, JobState } from '../../src/core/api/types.ts';
import { startStack, type Stack } from '../../scripts/stack/stack.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

const SECRET = 'whsec-test-0f3a9c51d2e84b7a';
const json = { 'content-type': 'application/json' };

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  answered: number | null;
}

/** The documented recipe: hex HMAC-SHA256(secret, `${t}.${body}`) equals v1, and t is recent. */
function verify(secret: string, header: string | undefined, body: string): { ok: boolean; t: number } {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return { ok: false, t: 0 };
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  const ok = timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
  return { ok: ok && Math.abs(Date.now() / 1000 - Number(m[1])) < 300, t: Number(m[1]) };
}

/** `/fail-twice/<n>`: 500, 500, then 200. `/slow`: answers after 10 s (and not before `release`). `/ok`: 200. */
function receiver(): { server: Server; got: Received[]; release: () => void; url: Promise<string> } {
  const got: Received[] = [];
  const seen = new Map<string, number>();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: null };
      got.push(r);
      const answer = (status: number) => {
        r.answered = status;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
      };
      if (r.path.startsWith('/fail-twice')) {
        const n = (seen.get(r.path) ?? 0) + 1;
        seen.set(r.path, n);
        answer(n <= 2 ? 500 : 200);
      } else if (r.path.startsWith('/slow')) {
        void Promise.all([released, new Promise((ok) => setTimeout(ok, 10_000))]).then(() => answer(200));
      } else {
        answer(200);
      }
    });
  });
  const url = new Promise<string>((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  return { server, got, release, url };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('webhooks (WEBHOOK_ALLOW_PRIVATE=1)', () => {
  let stack: Stack;
  const hook = receiver();
  let base = '';
  beforeAll(async () => {
    base = await hook.url;
    stack = await startStack({ orchestratorVars: { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_BASE_MS: '300' } });
  });
  afterAll(async () => {
    hook.release();
    await stack?.stop();
    hook.server.closeAllConnections();
    hook.server.close();
  });

  const create = async (body: Record<string, unknown>): Promise<string> => {
    const res = await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(202);
    const created = (await res.json()) as CreateJobResponse;
    expect(JSON.stringify(created)).not.toContain(SECRET);
    return created.jobId;
  };
  const webhookState = async (jobId: string) => {
    const res = await fetch(`${stack.edgeUrl}/api/tts/${jobId}/webhook`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    return (JSON.parse(text) as { webhook: { url: string; events: { id: string; type: string; state: string; attempts: number; lastStatus: number | null }[] } }).webhook;
  };

  it('signs each attempt verifiably, retries a failing receiver with the same event, and stops after its 200', async () => {
    const path = '/fail-twice/a';
    const jobId = await create({ text: 'The receiver fails twice. Then it answers.', webhook: { url: `${base}${path}`, secret: SECRET } });
    const acked = await until('the 200', async () => hook.got.find((r) => r.path === path && r.answered === 200));
    const attempts = hook.got.filter((r) => r.path === path);
    expect(attempts.map((r) => r.answered)).toEqual([500, 500, 200]);
    for (const r of attempts) {
      expect(verify(SECRET, r.headers['x-lector-signature'] as string, r.body).ok).toBe(true);
      // A wrong secret or an altered body does not verify.
      expect(verify('not-the-secret-at-all', r.headers['x-lector-signature'] as string, r.body).ok).toBe(false);
      expect(verify(SECRET, r.headers['x-lector-signature'] as string, r.body.replace('completed', 'failed')).ok).toBe(false);
      expect(r.headers['x-lector-event']).toBe('job.completed');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.body).toBe(acked.body); // same event, byte for byte
      expect(r.headers['x-lector-delivery']).toBe(acked.headers['x-lector-delivery']);
    }
    const event = JSON.parse(acked.body) as { id: string; type: string; data: { jobId: string; status: string; totalChunks: number; completedChunks: number } };
    expect(event).toMatchObject({ id: acked.headers['x-lector-delivery'], type: 'job.completed', data: { jobId, status: 'completed' } });
    expect(event.data.completedChunks).toBe(event.data.totalChunks);
    const state = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}`)).json()) as JobState;
    expect(state.status).toBe('completed');

    // Acknowledged once: the delivery is settled, and no attempt follows (retry base 300 ms; wait well past it).
    const wh = await until('delivered', async () => {
      const s = await webhookState(jobId);
      return s.events[0]?.state === 'delivered' ? s : undefined;
    });
    expect(wh.url).toBe(`${base}${path}`);
    expect(wh.events).toEqual([expect.objectContaining({ id: event.id, type: 'job.completed', state: 'delivered', attempts: 3, lastStatus: 200 })]);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(hook.got.filter((r) => r.path === path)).toHaveLength(3);
  });

  it('a receiver that answers after 10 s holds up neither the job nor its audiobook', async () => {
    const jobId = await create({
      text: 'A slow receiver. It takes ten seconds to answer. The book is made anyway.',
      audioFormat: 'mp3',
      title: 'Slow hook',
      webhook: { url: `${base}/slow`, secret: SECRET },
    });
    const pending = await until('the slow request', async () => hook.got.find((r) => r.path === '/slow'));
    // While the receiver has not answered, the job is completed and its book assembled (by the job's own alarms).
    const state = await until('the book', async () => {
      const s = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}`)).json()) as JobState;
      return s.book?.status === 'done' ? s : undefined;
    });
    expect(pending.answered).toBeNull();
    expect(state.status).toBe('completed');
    expect((await fetch(`${stack.edgeUrl}/api/tts/${jobId}/audio`)).status).toBe(200);
    hook.release();
    // Then the slow answer (within the 15 s attempt timeout) settles the delivery in one attempt.
    const wh = await until('delivered', async () => {
      const s = await webhookState(jobId);
      return s.events[0]?.state === 'delivered' ? s : undefined;
    });
    expect(wh.events[0]).toMatchObject({ attempts: 1, lastStatus: 200 });
    expect(verify(SECRET, pending.headers['x-lector-signature'] as string, pending.body).ok).toBe(true);
  });
});

describe('webhooks (production address policy)', () => {
  // The shared stack has the production policy (no WEBHOOK_ALLOW_PRIVATE).
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack();
  });

  it('refuses loopback, private, link-local, metadata and non-http(s) URLs, and short secrets, with 400 invalid_webhook', async () => {
    const refused = [
      'http://127.0.0.1:9/hook',
      'http://localhost:8080/hook',
      'http://2130706433/hook', // 127.0.0.1 spelled as a number
      'http://10.1.2.3/hook',
      'http://172.16.5.4/hook',
      'http://192.168.1.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd12:3456::1]/hook',
      'http://[fe80::1]/hook',
      'ftp://example.com/hook',
      'file:///etc/passwd',
      'http://user:pw@example.com/hook',
      'not a url',
    ];
    for (const url of refused) {
      const res = await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: json, body: JSON.stringify({ text: 'Hello.', webhook: { url, secret: SECRET } }) });
      const text = await res.text();
      expect(res.status, url).toBe(400);
      expect(JSON.parse(text), url).toMatchObject({ error: { code: 'invalid_webhook' } });
      expect(text).not.toContain(SECRET);
    }
    const short = await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: json, body: JSON.stringify({ text: 'Hello.', webhook: { url: 'https://example.com/hook', secret: 'short' } }) });
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ error: { code: 'invalid_webhook', details: { field: 'webhook.secret' } } });
    // A public URL is accepted, and the service is still up.
    const ok = await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: json, body: JSON.stringify({ text: 'Hello.', webhook: { url: 'https://hooks.example.com/lector', secret: SECRET } }) });
    expect(ok.status).toBe(202);
    const { jobId } = (await ok.json()) as CreateJobResponse;
    const wh = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/webhook`)).json()) as { webhook: { url: string } };
    expect(wh.webhook.url).toBe('https://hooks.example.com/lector');
  });
});
