// Runs the ffmpeg binary that ships inside the `@ffmpeg-installer/linux-x64`
// npm package (ffmpeg 4.1 static: libmp3lame, libopus, native aac and flac)
// as a child process: encoding runs off the event loop, on another core,
// and at most `availableParallelism()` encodes run at once.

import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

export class EncoderError extends Error {
  override readonly name = 'EncoderError';
}

/** Path of the ffmpeg binary: `LECTOR_FFMPEG`, else the one in the npm package. */
export function ffmpegPath(): string {
  const fromEnv = process.env.LECTOR_FFMPEG;
  if (fromEnv) return fromEnv;
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('@ffmpeg-installer/linux-x64/package.json')), 'ffmpeg');
  } catch (cause) {
    throw new EncoderError(`no ffmpeg: the @ffmpeg-installer/linux-x64 package is not installed (${process.platform}-${process.arch}); set LECTOR_FFMPEG to an ffmpeg binary`, { cause });
  }
}

/** A FIFO gate: at most `limit` holders at once. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const gate = new Gate(Math.max(1, availableParallelism()));

export interface FfmpegRun {
  /** Raw signed 16-bit little-endian mono PCM. */
  pcm: Uint8Array;
  sampleRate: number;
  /** Output options after the input (codec, bitrate, muxer), without the output target. */
  output: readonly string[];
  /** Write to a temporary file instead of a pipe: for muxers that seek back to finish a header (FLAC's STREAMINFO). */
  seekableOutput?: boolean;
  signal?: AbortSignal;
  /** Kill the encoder after this long (default 60 s). */
  timeoutMs?: number;
}

/** Encodes PCM through ffmpeg and returns the output bytes. */
export function runFfmpeg(run: FfmpegRun): Promise<Uint8Array> {
  return gate.run(() => spawnOnce(run));
}

async function spawnOnce(run: FfmpegRun): Promise<Uint8Array> {
  run.signal?.throwIfAborted();
  const file = run.seekableOutput ? join(tmpdir(), `lector-enc-${randomUUID()}`) : undefined;
  const args = ['-hide_banner', '-loglevel', 'error', '-fflags', '+bitexact', '-f', 's16le', '-ar', String(run.sampleRate), '-ac', '1', '-i', 'pipe:0', ...run.output, '-y', file ?? 'pipe:1'];
  try {
    const stdout = await new Promise<Uint8Array>((resolve, reject) => {
      const child = spawn(ffmpegPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      let settled = false;
      const finish = (error: Error | null, value?: Uint8Array) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        run.signal?.removeEventListener('abort', onAbort);
        if (error) {
          child.kill('SIGKILL');
          reject(error);
        } else resolve(value!);
      };
      const onAbort = () => finish(run.signal!.reason instanceof Error ? run.signal!.reason : new EncoderError('encode cancelled'));
      const timer = setTimeout(() => finish(new EncoderError(`ffmpeg took longer than ${run.timeoutMs ?? 60_000} ms`)), run.timeoutMs ?? 60_000);
      run.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => {
        if (err.length < 4000) err += b.toString();
      });
      child.on('error', (e) => finish(new EncoderError(`ffmpeg failed to start: ${e.message}`, { cause: e })));
      child.on('close', (code, sig) => {
        if (code === 0) finish(null, Buffer.concat(out));
        else finish(new EncoderError(`ffmpeg exited with ${code ?? sig}: ${err.trim().slice(0, 500)}`));
      });
      // EPIPE when ffmpeg dies early; the close handler reports why.
      child.stdin.on('error', () => {});
      child.stdin.end(run.pcm);
    });
    return file ? new Uint8Array(await readFile(file)) : stdout;
  } finally {
    if (file) await rm(file, { force: true });
  }
}
