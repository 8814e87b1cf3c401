// `npm start` as a user runs it: secrets from the process environment (not only
// .dev.vars) reach the Workers, and the banner says whether keys are on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../scripts/stack/process.ts';
import { REPO_ROOT, freePort } from '../../scripts/stack/stack.ts';

describe('npm start', () => {
  let start: ManagedProcess;
  let edgeUrl: string;
  let banner: RegExpMatchArray;
  const stateDir = mkdtempSync(join(tmpdir(), 'lector-start-'));

  beforeAll(async () => {
    const [edgePort, synthPort] = [await freePort(), await freePort()];
    edgeUrl = `http://127.0.0.1:${edgePort}`;
    start = new ManagedProcess({
      name: 'npm start',
      command: process.execPath,
      args: [join(REPO_ROOT, 'scripts/start.ts')],
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LECTOR_API_KEYS: 'a=key-a,b=key-b',
        LECTOR_PORT: String(edgePort),
        LECTOR_SYNTH_PORT: String(synthPort),
        LECTOR_STATE_DIR: stateDir,
      },
    });
    banner = await start.waitForLine(/API keys are on \((\d+) configured\)/, 150_000);
  });
  afterAll(async () => {
    await start?.stop(10_000);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('says in its banner that keys are on, and never prints a key', () => {
    expect(banner[1]).toBe('2');
    expect(start.output()).not.toMatch(/key-a|key-b/);
  });

  it('takes LECTOR_API_KEYS from the environment: no key is 401, a listed key is 200', async () => {
    const none = await fetch(`${edgeUrl}/api/voices`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await fetch(`${edgeUrl}/api/voices`, { headers: { authorization: 'Bearer key-c' } })).status).toBe(401);
    const a = await fetch(`${edgeUrl}/api/voices`, { headers: { authorization: 'Bearer key-a' } });
    expect(a.status).toBe(200);
    expect(((await a.json()) as { voices: unknown[] }).voices.length).toBeGreaterThan(0);
    expect((await fetch(`${edgeUrl}/api/health`)).status).toBe(200);
  });
});
