// .dev.vars as `npm start` reads it: dotenv syntax through Node's util.parseEnv.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyCount, loadDevVars } from './dev-secrets.ts';

describe('dev secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lector-devvars-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads quoted and bare values, comments and base64 padding; no file is no vars', () => {
    const file = join(dir, '.dev.vars');
    writeFileSync(file, '# local secrets\nLECTOR_API_KEYS="a=key-a,Zm9vYg=="\nSYNTH_TOKEN=tok-1\n\nGOOGLE_TTS_API_KEY=\'g k\'\n');
    expect(loadDevVars(file)).toEqual({ LECTOR_API_KEYS: 'a=key-a,Zm9vYg==', SYNTH_TOKEN: 'tok-1', GOOGLE_TTS_API_KEY: 'g k' });
    expect(loadDevVars(join(dir, 'missing'))).toEqual({});
  });

  it('counts keys without showing them', () => {
    expect(keyCount('a=key-a, b=key-b,')).toBe(2);
    expect(keyCount('Zm9vYg==')).toBe(1);
  });
});
