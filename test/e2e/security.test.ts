// Security defaults on the real stack: API keys, per-key limits, CORS, the
// internal backend, job ids, and no secret in any log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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
  async function waitDone(jobId: string, key: string): Promise<JobState> {
    for (;;) {
      const s = (await (await api(`/api/tts/${jobId}`, {}, key)).json()) as JobState;
      if (['completed', 'failed', 'cancelled'].includes(s.status)) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

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
    const { jobId } = (await ok.json()) as CreateJobResponse;
    expect((await api(`/api/tts/${jobId}`, { headers: { cookie: `lector_key=${encodeURIComponent(BOB)}` } })).status).toBe(200);
  });

  it('limits concurrent jobs per key with 429 and Retry-After, other keys unaffected', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} of a long text.`).join('\n\n');
    const a1 = (await (await create(long, ALICE)).json()) as CreateJobResponse;
    const a2 = (await (await create(long, ALICE)).json()) as CreateJobResponse;
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
    const cfg = readJsonc(join(REPO_ROOT, 'src/edge/backend/wrangler.jsonc'));
    expect(cfg.workers_dev).toBe(false);
    expect(cfg.routes ?? cfg.route).toBeUndefined();
    // Only the orchestrator answers on the public port; the backend's RPC is not an HTTP route.
    const res = await api('/api/rawtts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, BOB);
    expect(res.status).toBe(404);
    // The synthesis service itself refuses requests without its token.
    const direct = await fetch(`${stack.synthUrl}/v1/voices`);
    expect(direct.status).toBe(401);
  });

  it('mints job ids with crypto.randomUUID only (a client cannot choose one)', async () => {
    const res = await api('/api/tts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Hi.', jobId: '00000000-0000-4000-8000-000000000000' }) }, BOB);
    const { jobId } = (await res.json()) as CreateJobResponse;
    expect(jobId).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(readFileSync(join(REPO_ROOT, 'src/edge/orchestrator/api/jobs.ts'), 'utf8')).toContain('crypto.randomUUID()');
  });

  it('writes no secret to any log', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const all = lines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [ALICE, BOB, SYNTH_TOKEN]) expect(all).not.toContain(secret);
  });
});
