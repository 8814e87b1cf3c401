// Adapter for legacy v1 workers: one JSON line per request naming a WAV file
// to write, one JSON line back; replies matched by `output_path`.

import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWav } from '../../core/audio/wav.ts';
import { newMessageId, type V1Reply, type V1Request } from '../protocol/messages.ts';
import { PoolError } from './errors.ts';
import { PendingReplies } from './pending-replies.ts';
import type { WorkerAudio, WorkerSynthesisRequest } from './worker-request.ts';

/** Where v1 workers are told to write their WAV files (one directory per manager process). */
const V1_DIR = join(tmpdir(), `lector-synth-${process.pid}`);

/** Creates the WAV directory (synchronous: called between spawn and handshake). */
export function ensureV1Dir(): void {
  mkdirSync(V1_DIR, { recursive: true });
}

export class V1Adapter {
  /** Keyed by request id, with the WAV path the reply must name. */
  private readonly pending = new PendingReplies<V1Reply, string>();
  private lineBuffer = '';
  private readonly workerId: string;
  private readonly engineName: string;
  private readonly send: (bytes: Buffer) => void;
  private readonly log: (line: string) => void;

  constructor(workerId: string, engineName: string, send: (bytes: Buffer) => void, log: (line: string) => void) {
    this.workerId = workerId;
    this.engineName = engineName;
    this.send = send;
    this.log = log;
  }

  /** Requests waiting for their reply line. */
  get size(): number {
    return this.pending.size;
  }

  /** Sends one request and reads the WAV it names; `speed` goes along as an extension field. */
  async synthesize(request: WorkerSynthesisRequest, signal: AbortSignal | undefined, onSent: () => void): Promise<WorkerAudio> {
    const id = newMessageId('v1');
    const outputPath = join(V1_DIR, `${this.workerId}-${id}.wav`);
    const t0 = performance.now();
    const line: V1Request = { type: 'synthesize', text: request.text, output_path: outputPath, voice: request.voice, speed: request.speed };
    try {
      const reply = await this.pending.wait(
        id,
        outputPath,
        () => {
          onSent();
          this.send(Buffer.from(`${JSON.stringify(line)}\n`, 'utf8'));
        },
        signal,
        () => new PoolError('worker_timeout', `v1 worker ${this.workerId} did not answer in time`, { retryable: true }),
      );
      if (reply.status === 'error' || reply.error) {
        throw new PoolError('worker_error', `v1 worker ${this.workerId}: ${reply.error ?? 'synthesis failed'}`, { retryable: true });
      }
      const wav = parseWav(new Uint8Array(await readFile(outputPath)));
      if (wav.format.channels !== 1) throw new PoolError('worker_error', `v1 worker ${this.workerId} wrote ${wav.format.channels} channels`, { retryable: false });
      return {
        pcmParts: [wav.pcm],
        pcmBytes: wav.pcm.byteLength,
        sampleRate: wav.format.sampleRate,
        engine: this.engineName,
        voice: request.voice,
        words: null,
        synthMs: performance.now() - t0,
      };
    } finally {
      await rm(outputPath, { force: true });
    }
  }

  /**
   * Reads stdout: JSON lines among other text. A line holding an RS frame goes
   * to `onFrameText` (a slow v2 worker may still answer the handshake).
   */
  push(chunk: Buffer, onFrameText: (text: string) => void): void {
    this.lineBuffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.lineBuffer.indexOf('\n')) >= 0) {
      const line = this.lineBuffer.slice(0, nl);
      this.lineBuffer = this.lineBuffer.slice(nl + 1);
      if (line.includes('\x1e')) onFrameText(`${line.slice(line.indexOf('\x1e'))}\n`);
      else this.onLine(line);
    }
    if (this.lineBuffer.length > 1024 * 1024) {
      this.log(`[${this.workerId}] dropped an over-long stdout line`);
      this.lineBuffer = '';
    }
  }

  private onLine(line: string): void {
    const brace = line.indexOf('{');
    if (brace < 0) {
      if (line.trim()) this.log(`[${this.workerId}] stdout: ${line.slice(0, 200)}`);
      return;
    }
    let reply: V1Reply;
    try {
      reply = JSON.parse(line.slice(brace)) as V1Reply;
    } catch {
      this.log(`[${this.workerId}] stdout (not JSON): ${line.slice(0, 200)}`);
      return;
    }
    // A reply without a path can only be an error of the one request in flight.
    const lone = reply.output_path === undefined && Boolean(reply.error) && this.pending.size === 1;
    if (this.pending.resolveWhere((path) => reply.output_path === path || lone, reply)) return;
    this.log(`[${this.workerId}] v1 reply matches no request: ${line.slice(0, 200)}`);
  }

  /** Fails every request still waiting (the process exited). */
  rejectAll(error: Error): void {
    this.pending.rejectAll(error);
  }
}
