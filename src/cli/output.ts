// Writing the job's audio: a check before any job is created that the output
// path can be written, and the download of `GET /api/tts/{jobId}/audio`
// streamed to a temporary file beside the target, renamed into place only
// when complete (so a half-written file never carries the final name).
import { constants, createWriteStream } from 'node:fs';
import { access, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { LectorClient } from './client.ts';
import { CliError, EXIT, describeNetworkError } from './errors.ts';

/** `-o -` writes the WAV to stdout. */
export const STDOUT_PATH = '-';

/** Fails early (before a job is created) when `path` cannot be written. */
export async function assertWritable(path: string): Promise<void> {
  if (path === STDOUT_PATH) return;
  const target = resolve(path);
  const existing = await stat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw outputError(path, e);
  });
  if (existing?.isDirectory()) throw new CliError(EXIT.output, `cannot write ${path}: it is a directory`, { hint: 'give a file name, e.g. -o book.wav' });
  const dir = dirname(target);
  const dirStat = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw outputError(path, e, e.code === 'ENOENT' ? `folder ${dir} does not exist` : undefined);
  });
  if (!dirStat.isDirectory()) throw new CliError(EXIT.output, `cannot write ${path}: ${dir} is not a folder`);
  await access(existing ? target : dir, constants.W_OK).catch((e: NodeJS.ErrnoException) => {
    throw outputError(path, e);
  });
}

export interface SaveOptions {
  signal: AbortSignal;
  /** Whole download attempts before giving up (the server may be restarting). Default 4. */
  attempts?: number;
  /** Called as bytes arrive. */
  onBytes?: (written: number, total: number | undefined) => void;
  /** The API path to download (default: the job's `/audio`). */
  path?: string;
  /** Expected audio format; only `wav` (the default) is checked by its header. */
  format?: 'wav' | 'mp3' | 'opus';
}

/** Streams the job's WAV to `path` (or stdout) and returns the bytes written. */
export async function saveJobAudio(client: LectorClient, jobId: string, path: string, opts: SaveOptions): Promise<number> {
  const attempts = opts.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(client, jobId, path, opts);
    } catch (e) {
      if (opts.signal.aborted) throw e;
      const retryable = e instanceof CliError ? e.exitCode === EXIT.unreachable || (e.status !== undefined && e.status >= 500) : !isFsError(e);
      // Bytes already on stdout cannot be taken back.
      if (!retryable || attempt >= attempts || (path === STDOUT_PATH && !(e instanceof CliError))) {
        if (e instanceof CliError) throw e;
        if (isFsError(e)) throw outputError(path, e);
        throw new CliError(EXIT.unreachable, `downloading the audio of job ${jobId} failed: ${describeNetworkError(e)}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

async function downloadOnce(client: LectorClient, jobId: string, path: string, opts: SaveOptions): Promise<number> {
  const res = opts.path ? await client.request(opts.path, { signal: opts.signal }) : await client.openAudio(jobId, opts.signal);
  const wantWav = (opts.format ?? 'wav') === 'wav';
  if (!res.body) throw new CliError(EXIT.rejected, `the server sent no audio for job ${jobId}`);
  const lengthHeader = res.headers.get('content-length');
  const expected = lengthHeader === null ? undefined : Number(lengthHeader);
  let written = 0;
  let head = '';
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (wantWav && head.length < 12) {
        head += chunk.subarray(0, 12 - head.length).toString('latin1');
        if (head.length >= 12 && (!head.startsWith('RIFF') || head.slice(8, 12) !== 'WAVE')) {
          return done(new CliError(EXIT.rejected, `the server's audio for job ${jobId} is not a WAV file`));
        }
      }
      written += chunk.byteLength;
      opts.onBytes?.(written, expected);
      done(null, chunk);
    },
  });
  const body = Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>, { signal: opts.signal });
  const check = (): void => {
    if (expected !== undefined && written !== expected) {
      throw new Error(`connection ended after ${written} of ${expected} bytes`);
    }
  };

  if (path === STDOUT_PATH) {
    try {
      await pipeline(body, counter, process.stdout, { end: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new CliError(EXIT.output, `stdout was closed after ${written} bytes of audio`, { cause: e });
      throw e;
    }
    check();
    return written;
  }
  const target = resolve(path);
  const part = join(dirname(target), `.${basename(target)}.${process.pid}.part`);
  try {
    await pipeline(body, counter, createWriteStream(part), { signal: opts.signal });
    check();
    await rename(part, target);
  } catch (e) {
    await unlink(part).catch(() => undefined /* never created, or already gone */);
    throw e;
  }
  return written;
}

function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string' && typeof (e as NodeJS.ErrnoException).path === 'string';
}

function outputError(path: string, e: NodeJS.ErrnoException, detail?: string): CliError {
  const why = detail ?? (e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOSPC' ? 'no space left on the device' : e.message);
  return new CliError(EXIT.output, `cannot write ${path}: ${why}`, { cause: e });
}
