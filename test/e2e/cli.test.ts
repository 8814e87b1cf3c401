// The `lector` CLI as a user runs it: a child process against the real stack
// (synthesis service + wrangler dev). Checks the WAV it writes against the
// server's own chunk audio, stdin input, the voice table, the server's error
// for an unknown voice, and Ctrl-C followed by `lector resume`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { REPO_ROOT, freePort } from '../../scripts/stack/stack.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

const CLI = join(REPO_ROOT, 'src/cli/main.ts');
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  input?: string;
  /** Called with stderr so far whenever it grows; may signal the child. */
  onStderr?: (stderr: string, child: ReturnType<typeof spawn>) => void;
}

function lector(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LECTOR_SERVER: '', LECTOR_API_KEY: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

describe('lector CLI', () => {
  let stack: SharedStack;
  let dir: string;
  let server: string[];
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${stack.edgeUrl}${path}`)).json()) as T;

  beforeAll(async () => {
    stack = await sharedStack();
    server = ['--server', stack.edgeUrl];
    dir = mkdtempSync(join(tmpdir(), 'lector-cli-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('speaks a file into one WAV holding every chunk in order', async () => {
    const input = join(dir, 'story.txt');
    writeFileSync(input, 'Hello there. This is Lector speaking.\n\nA new paragraph begins here. Goodbye for now.\n');
    const out = join(dir, 'story.wav');
    const run = await lector(['speak', input, '-o', out, '--voice', 'espeak:en-us', ...server]);
    expect(run.stderr).toMatch(/lector: wrote .*story\.wav/);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/progress: (\d+)\/\1 chunks \(100%\)/);

    const jobId = new RegExp(`job (${UUID})`).exec(run.stderr)![1]!;
    const state = await get<JobState>(`/api/tts/${jobId}?include=chunks`);
    expect(state.status).toBe('completed');
    expect(state.chunks!.length).toBeGreaterThanOrEqual(2); // the splitter may merge short sentences
    expect(state.chunks!.some((ch) => ch.paragraphStart && ch.index > 0)).toBe(true);

    const wav = parseWav(new Uint8Array(readFileSync(out)));
    expect(wav.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    const pcm = Buffer.from(wav.pcm);
    let offset = 0;
    let sum = 0;
    for (const ch of state.chunks!) {
      const chunk = parseWav(new Uint8Array(await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/chunks/${ch.index}`)).arrayBuffer()));
      sum += chunk.pcm.byteLength;
      const at = pcm.indexOf(Buffer.from(chunk.pcm), offset);
      expect(at, `chunk ${ch.index} in the output after byte ${offset}`).toBeGreaterThanOrEqual(offset);
      offset = at + chunk.pcm.byteLength;
    }
    expect(pcm.byteLength).toBeGreaterThanOrEqual(sum);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('speaks stdin with -', async () => {
    const out = join(dir, 'stdin.wav');
    const run = await lector(['speak', '-', '-o', out, '-q', ...server], { input: 'Reading from standard input. It works.' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/progress:/);
    const wav = parseWav(new Uint8Array(readFileSync(out)));
    expect(wav.durationMs).toBeGreaterThan(1000);
  });

  it('lists the voices as a table on stdout', async () => {
    const run = await lector(['voices', ...server]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+LANGUAGE\s+NAME\s+ENGINE$/);
    expect(lines.some((l) => /^espeak:en-us\s+\S+/.test(l))).toBe(true);
    expect(run.stderr).toBe('');
  });

  it('exits non-zero with the server\'s message for an unknown voice', async () => {
    const out = join(dir, 'nope.wav');
    const run = await lector(['speak', '-', '-o', out, '--voice', 'nope:xx', ...server], { input: 'Hello.' });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/lector: error: .*unknown voice "nope:xx".*\(unknown_voice 400\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports an unreachable server and an unwritable output', async () => {
    const down = await lector(['voices', '--server', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach the Lector server .*ECONNREFUSED/);
    const unwritable = await lector(['speak', '-', '-o', join(dir, 'missing/x.wav'), ...server], { input: 'Hello.' });
    expect(unwritable.code).toBe(6);
    expect(unwritable.stderr).toMatch(/cannot write .*does not exist/);
  });

  it('Ctrl-C leaves the job running and prints the resume command, which then writes the file', async () => {
    const text = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1} of a longer text.`).join(' ');
    const out = join(dir, 'long.wav');
    let sent = false;
    const run = await lector(['speak', '-', '-o', out, ...server], {
      input: text,
      onStderr: (stderr, child) => {
        if (!sent && new RegExp(`job ${UUID}`).test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.stderr).toBe(130);
    const jobId = new RegExp(`job (${UUID}) keeps running on the server`).exec(run.stderr)?.[1];
    expect(jobId, run.stderr).toBeDefined();
    const command = `lector resume ${jobId} -o ${out} --server ${stack.edgeUrl}`;
    expect(run.stderr).toContain(command);
    expect(existsSync(out)).toBe(false);

    const resumed = await lector(command.split(' ').slice(1));
    expect(resumed.code, resumed.stderr).toBe(0);
    const state = await get<JobState>(`/api/tts/${jobId}`);
    expect(state.status).toBe('completed');
    expect(resumed.stderr).toContain(`job complete: ${state.totalSentences} chunks`);
    const wav = parseWav(new Uint8Array(readFileSync(out)));
    expect(wav.durationMs).toBeGreaterThan(state.totalSentences * 1000);
  });
});
