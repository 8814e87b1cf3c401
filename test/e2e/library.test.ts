// The library API on the real stack: GET /api/tts lists the caller's jobs
// (per API key; without keys, per `lector_client` cookie), pages with a cursor,
// keeps positions (PUT/GET /api/tts/{id}/position) and forgets deleted jobs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobResponse } from '../../src/core/api/types.ts';
import { SHARED_KEYS, sharedStack, type SharedStack } from '../support/shared-stack.ts';
import type { LibraryList as ListAnswer } from '../../src/core/api/library.ts';

// This file's own keys on the shared keyed stack.
const { alice: ALICE, bob: BOB } = SHARED_KEYS.library;

describe('library API', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack('keyed');
  });

  const api = (path: string, key: string, init: RequestInit = {}) =>
    fetch(`${stack.edgeUrl}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });
  const json = { 'content-type': 'application/json' };
  async function create(text: string, key: string): Promise<string> {
    const res = await api('/api/tts', key, { method: 'POST', headers: json, body: JSON.stringify({ text }) });
    expect(res.status).toBe(202);
    return ((await res.json()) as CreateJobResponse).jobId;
  }

  it('lists each key its own jobs, newest first, in pages; keeps positions; forgets deleted jobs', async () => {
    const a1 = await create('First of Alice. It is short.', ALICE);
    const a2 = await create('Second of Alice, a little longer than the first one was. Yes.', ALICE);
    const a3 = await create('Third of Alice.', ALICE);
    const b1 = await create('Only one for Bob.', BOB);

    const page1 = (await (await api('/api/tts?limit=2', ALICE)).json()) as ListAnswer;
    expect(page1.jobs.map((j) => j.jobId)).toEqual([a3, a2]);
    expect(page1.jobs[1]!.title).toBe('Second of Alice, a little longer than the…');
    expect(page1.jobs[0]).toMatchObject({ title: 'Third of Alice.', totalChunks: 1, characters: 15, voiceId: 'espeak:en-us', position: null });
    expect(page1.nextCursor).toBeTypeOf('string');
    const page2 = (await (await api(`/api/tts?limit=2&cursor=${page1.nextCursor}`, ALICE)).json()) as ListAnswer;
    expect(page2.jobs.map((j) => j.jobId)).toEqual([a1]);
    expect(page2.nextCursor).toBeNull();
    const bobs = (await (await api('/api/tts', BOB)).json()) as ListAnswer;
    expect(bobs.jobs.map((j) => j.jobId)).toEqual([b1]);

    // A finished job shows its status, progress and the length of its whole audio.
    for (;;) {
      const list = (await (await api('/api/tts', ALICE)).json()) as ListAnswer;
      const done = list.jobs.find((j) => j.jobId === a2)!;
      if (done.status === 'completed') {
        expect(done.progress).toBe(1);
        const wav = new Uint8Array(await (await api(`/api/tts/${a2}/audio`, ALICE)).arrayBuffer());
        const view = new DataView(wav.buffer);
        const seconds = view.getUint32(40, true) / view.getUint32(28, true);
        expect(Math.abs(done.durationMs! / 1000 - seconds)).toBeLessThan(0.01);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    // Positions: stored per job, a newer save wins, an older one does not overwrite it.
    const put = (id: string, key: string, body: unknown) => api(`/api/tts/${id}/position`, key, { method: 'PUT', headers: json, body: JSON.stringify(body) });
    const now = Date.now();
    expect((await put(a2, ALICE, { index: 1, offsetMs: 250, savedAt: now })).status).toBe(200);
    expect((await put(a2, ALICE, { index: 0, offsetMs: 10, savedAt: now - 60_000 })).status).toBe(200);
    const pos = (await (await api(`/api/tts/${a2}/position`, ALICE)).json()) as { position: { index: number; offsetMs: number } };
    expect(pos.position).toMatchObject({ index: 1, offsetMs: 250, finished: false });
    const listed = (await (await api('/api/tts', ALICE)).json()) as ListAnswer;
    expect(listed.jobs.find((j) => j.jobId === a2)!.position).toMatchObject({ index: 1, offsetMs: 250 });

    // Bad input: 400 with the error body; another key cannot see Alice's job.
    const bad = await put(a2, ALICE, { index: -1, offsetMs: 0 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect((await put(a2, ALICE, { index: 99, offsetMs: 0 })).status).toBe(400);
    expect((await api('/api/tts?limit=0', ALICE)).status).toBe(400);
    expect((await api('/api/tts?cursor=nonsense!', ALICE)).status).toBe(400);
    expect((await api(`/api/tts/${a2}/position`, BOB)).status).toBe(404);

    // Delete: gone from the list.
    expect((await api(`/api/tts/${a1}`, ALICE, { method: 'DELETE' })).status).toBe(200);
    const after = (await (await api('/api/tts', ALICE)).json()) as ListAnswer;
    expect(after.jobs.map((j) => j.jobId)).toEqual([a3, a2]);
  });
});

describe('library API without keys', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack();
  });

  it('gives each browser a lector_client cookie and lists the jobs made with it', async () => {
    const first = await fetch(`${stack.edgeUrl}/api/tts`);
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    const m = /lector_client=([0-9a-f-]{36});/.exec(setCookie);
    expect(m, setCookie).not.toBeNull();
    expect(setCookie).toContain('HttpOnly');
    const cookie = `lector_client=${m![1]}`;
    expect(((await first.json()) as ListAnswer).jobs).toEqual([]);

    const res = await fetch(`${stack.edgeUrl}/api/tts`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ text: 'Mine. All mine.' }) });
    expect(res.headers.get('set-cookie')).toBeNull(); // it had one
    const { jobId } = (await res.json()) as CreateJobResponse;
    const mine = (await (await fetch(`${stack.edgeUrl}/api/tts`, { headers: { cookie } })).json()) as ListAnswer;
    expect(mine.jobs.map((j) => j.jobId)).toEqual([jobId]);
    // Another browser (another cookie) does not see it.
    const other = (await (await fetch(`${stack.edgeUrl}/api/tts`, { headers: { cookie: `lector_client=${crypto.randomUUID()}` } })).json()) as ListAnswer;
    expect(other.jobs).toEqual([]);
  });
});
