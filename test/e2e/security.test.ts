// Security defaults on the real stack: API keys, jobs visible to their owner
// only, per-key limits, CORS, the internal backend, job ids, and no secret in
// any log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { CreateJobResponse, JobState } from '../../src/core/api/types.ts';
import { readJsonc } from '../../scripts/stack/jsonc.ts';
import { REPO_ROOT, startStack, type Stack } from '../../scripts/stack/stack.ts';

const ALICE = 'sekrit-alice-7f3a9c';
const BOB = 'sekrit-bob-52d1e8';
const SYNTH_TOKEN = 'sekrit-synth-token-99aa';

describe('security', () => {
  let stack: Stack;
  const lines: string[] = [];
  beforeAll(async () => {
    stack = await startStack({
      synthEnv: { LECTOR_SYNTH_TOKEN: SYNTH_TOKEN },
      backendVars: { SYNTH_TOKEN },
      orchestratorVars: {
        LECTOR_API_KEYS: `alice=${ALICE},bob=${BOB}`,
        KEY_MAX_CONCURRENT_JOBS: '2',
        KEY_MAX_CHARS_PER_DAY: '20000',
        CORS_ORIGINS: 'https://allowed.example',
      },
      onLine: (_name, line) => lines.push(line),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (path: string, init: RequestInit = {}, key?: string) =>
    fetch(`${stack.edgeUrl}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string>) } });
  const create = (text: string, key?: string) =>
    api('/api/tts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }, key);
  /** Every job id the API minted during this file. */
  const minted: string[] = [];
  const createdId = async (res: Response): Promise<string> => {
    const { jobId } = (await res.json()) as CreateJobResponse;
    minted.push(jobId);
    return jobId;
  };
  async function waitDone(jobId: string, key: string, timeoutMs = 120_000): Promise<JobState> {
    const deadline = Date.now() + timeoutMs;
    let s: JobState | undefined;
    while (Date.now() < deadline) {
      s = (await (await api(`/api/tts/${jobId}`, {}, key)).json()) as JobState;
      if (['completed', 'failed', 'cancelled'].includes(s.status)) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`job ${jobId} not finished within ${timeoutMs} ms; last state ${JSON.stringify(s)}`);
  }
  const errorOf = async (res: Response): Promise<{ code: string; message: string }> => ((await res.json()) as { error: { code: string; message: string } }).error;

  it('needs a valid key on the API, but not on /api/health', async () => {
    expect((await api('/api/health')).status).toBe(200);
    const none = await create('Hello.');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await create('Hello.', 'wrong-key')).status).toBe(401);
    expect((await api('/v1/audio/speech', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    const ok = await create('Hello.', BOB);
    expect(ok.status).toBe(202);
    // The page's cookie works too (EventSource cannot send headers).
    const jobId = await createdId(ok);
    expect((await api(`/api/tts/${jobId}`, { headers: { cookie: `lector_key=${encodeURIComponent(BOB)}` } })).status).toBe(200);
    // A cookie that is not valid percent-encoding is a bad key (401), not a server error.
    const bad = await api(`/api/tts/${jobId}`, { headers: { cookie: 'lector_key=%E0%A4%A' } });
    expect(bad.status).toBe(401);
    expect((await errorOf(bad)).code).toBe('unauthorized');
  });

  it("shows a job to its owner only: another key gets 404 on every route, as for an id that does not exist", async () => {
    const jobId = await createdId(await create('Alice wrote this. It is hers alone.', ALICE));
    expect((await waitDone(jobId, ALICE)).status).toBe('completed');
    const routes: [string, string][] = [
      ['GET', `/api/tts/${jobId}`],
      ['GET', `/api/tts/${jobId}?include=chunks`],
      ['GET', `/api/tts/${jobId}/events`],
      ['GET', `/api/tts/${jobId}/chunks/0`],
      ['GET', `/api/tts/${jobId}/audio`],
      ['GET', `/api/tts/${jobId}/captions.vtt`],
      ['GET', `/api/tts/${jobId}/captions.srt`],
      ['GET', `/api/tts/${jobId}/stats`],
      ['DELETE', `/api/tts/${jobId}`],
    ];
    const unknown = crypto.randomUUID();
    for (const [method, path] of routes) {
      expect((await api(path, { method })).status, `${method} ${path} without a key`).toBe(401);
      const other = await api(path, { method }, BOB);
      expect(other.status, `${method} ${path} with another key`).toBe(404);
      const otherError = await errorOf(other);
      // The same answer as for an id nobody has: the id leaks nothing.
      const none = await api(path.replace(jobId, unknown), { method }, BOB);
      expect(none.status).toBe(404);
      const noneError = await errorOf(none);
      expect(otherError.code, `${method} ${path}`).toBe(noneError.code);
      expect(otherError.message.replace(jobId, 'ID')).toBe(noneError.message.replace(unknown, 'ID'));
    }
    // The owner still has all of it: bob's DELETE touched nothing.
    for (const [method, path] of routes.filter(([m]) => m === 'GET')) {
      const mine = await api(path, { method, ...(path.endsWith('/events') ? { signal: AbortSignal.timeout(60_000) } : {}) }, ALICE);
      expect(mine.status, `${method} ${path} with the owner's key`).toBe(200);
      await mine.arrayBuffer();
    }
    const del = await api(`/api/tts/${jobId}`, { method: 'DELETE' }, ALICE);
    expect(del.status).toBe(200);
    expect((await api(`/api/tts/${jobId}`, {}, ALICE)).status).toBe(404);
  });

  it('limits concurrent jobs per key with 429 and Retry-After, other keys unaffected', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} of a long text.`).join('\n\n');
    const a1 = { jobId: await createdId(await create(long, ALICE)) };
    const a2 = { jobId: await createdId(await create(long, ALICE)) };
    const third = await create('One more.', ALICE);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await create('Bob is fine.', BOB)).status).toBe(202);
    // When alice's jobs end, her slots come back.
    await waitDone(a1.jobId, ALICE);
    await waitDone(a2.jobId, ALICE);
    await new Promise((r) => setTimeout(r, 300));
    expect((await create('Now it fits.', ALICE)).status).toBe(202);
  });

  it('limits characters per key per day', async () => {
    const big = 'word '.repeat(3000); // 15,000 characters
    const first = await create(big, BOB);
    expect(first.status).toBe(202);
    const second = await create(big, BOB);
    expect(second.status).toBe(429);
    const retryAfter = Number(second.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(/per day/);
  });

  it('is same-origin unless CORS_ORIGINS allows the origin', async () => {
    const evil = await api('/api/voices', { headers: { origin: 'https://evil.example' } }, BOB);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await api('/api/tts', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(403);
    const good = await api('/api/tts', { method: 'OPTIONS', headers: { origin: 'https://allowed.example', 'access-control-request-method': 'POST' } });
    expect(good.status).toBe(204);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
  });

  it('keeps the backend Worker internal', async () => {
    // Deployed: no workers.dev URL and no route, so only the service binding reaches it.
    const cfg = readJsonc(join(REPO_ROOT, 'src/edge/backend/wrangler.jsonc'));
    expect(cfg.workers_dev).toBe(false);
    expect(cfg.routes ?? cfg.route).toBeUndefined();
    // Locally: the public port is the orchestrator's. The backend's names (its RPC methods) are no
    // HTTP routes there: the orchestrator answers them with its own JSON 404, never the backend's.
    for (const path of ['/synthesize', '/voices', '/voiceLimits', '/backends', '/api/synthesize', '/v1/voices']) {
      for (const method of ['GET', 'POST']) {
        const res = await api(path, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) }, BOB);
        const body = await res.text();
        expect(body, `${method} ${path}`).not.toContain('internal service');
        if (path.startsWith('/api/') || path.startsWith('/v1/')) {
          expect(res.status, `${method} ${path}`).toBe(404);
          expect(JSON.parse(body).error.message).toBe(`no route ${method} ${path}`);
        }
      }
    }
    // The synthesis service itself refuses requests without its token, and the stack works through the binding.
    const direct = await fetch(`${stack.synthUrl}/v1/voices`);
    expect(direct.status).toBe(401);
    expect((await api('/api/voices', {}, BOB)).status).toBe(200);
  });

  it('mints every job id itself: random v4 UUIDs, never one the client sends', async () => {
    const chosen = '00000000-0000-4000-8000-000000000000';
    const res = await api('/api/tts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Hi.', jobId: chosen }) }, BOB);
    expect(res.status).toBe(202);
    const jobId = await createdId(res);
    expect(jobId).not.toBe(chosen);
    expect(minted.length).toBeGreaterThanOrEqual(5);
    for (const id of minted) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(minted).size).toBe(minted.length);
    // Random, not counted: no two ids share their first 8 hex digits (a clock or counter would).
    expect(new Set(minted.map((id) => id.slice(0, 8))).size).toBe(minted.length);
  });

  it('writes no secret to any log', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const all = lines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [ALICE, BOB, SYNTH_TOKEN]) expect(all).not.toContain(secret);
  });
});
