// One engine worker process as the manager sees it: spawn, protocol
// negotiation (v2.1 / v2.0 handshake, v1 fallback), requests correlated with
// replies by id, explicit lifecycle state, and stop with SIGTERM then SIGKILL.

import { readFile, rm } from 'node:fs/promises';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWav } from '../../core/audio/wav.ts';
import { encodeJsonFrame, FrameDecoder, type Frame } from '../protocol/framing.ts';
import {
  envelope,
  isEnvelope,
  newMessageId,
  PROTOCOL,
  type AudioPayload,
  type Envelope,
  type HandshakeAckPayload,
  type HealthPayload,
  type ProtocolPreference,
  type ProtocolVersion,
  type RequestPayload,
  type ResponsePayload,
  type V1Reply,
  type V1Request,
} from '../protocol/messages.ts';
import { WorkerState, type Priority, type WordTimingTuple } from '../types.ts';
import type { CatalogVoice } from '../voices.ts';
import { spawnChild, type ChildProcessLike, type SpawnFn } from './child.ts';
import { PoolError } from './errors.ts';

/** How to start one kind of worker. */
export interface WorkerTemplate {
  /** Name shown in status and logs. */
  name: string;
  /** Executable, e.g. `process.execPath`. */
  command: string;
  args: string[];
  /** Extra environment variables (merged over the manager's). */
  env?: Record<string, string>;
  cwd?: string;
  /** Protocol to speak; `auto` sends a v2 handshake and falls back to v1 on silence. */
  protocol: ProtocolPreference;
  /** Models (`espeak`, `espeak:en-us`, `flite:slt`) a v2 worker loads before it reports ready. */
  preload?: string[];
  /** Voices a v1 worker serves (v1 cannot report them). */
  voices?: CatalogVoice[];
  /** Requests one worker of this template may hold at once (default: the pool's `workerConcurrency`; v1 is always 1). */
  concurrency?: number;
}

export interface EngineWorkerOptions {
  /** Silence after the v2 handshake that makes an `auto` worker v1 (default 3000 ms). */
  handshakeTimeoutMs?: number;
  /** Longest start-up of an explicit v2 worker (default 30000 ms). */
  startupTimeoutMs?: number;
  /** Give up on a partial stdout frame after this long (default 5000 ms). */
  partialFrameTimeoutMs?: number;
  /** Concurrency when the template does not set one (default 1). */
  concurrency?: number;
  spawn?: SpawnFn;
  /** Where stderr lines and protocol noise go. */
  log?: (line: string) => void;
}

export interface WorkerJob {
  text: string;
  voice: string;
  speed: number;
  priority: Priority;
  correlationId: string;
  retryCount: number;
}

export interface WorkerAudio {
  pcm: Uint8Array;
  sampleRate: number;
  engine: string;
  voice: string;
  words: WordTimingTuple[] | null;
  synthMs: number;
}

export interface WorkerHealth {
  rssBytes: number | null;
  served: number;
}

interface Pending {
  kind: 'synthesize' | 'health';
  resolve: (value: ResponsePayload | { type: 'v1'; reply: V1Reply; body: Uint8Array | null }) => void;
  reject: (error: Error) => void;
  frameBody?: Uint8Array;
  v1Path?: string;
}

/** Where v1 workers are told to write their WAV files (one directory per manager process). */
const V1_DIR = join(tmpdir(), `lector-synth-${process.pid}`);

export class EngineWorker {
  readonly id: string;
  readonly template: WorkerTemplate;
  state: WorkerState = WorkerState.INITIALIZING;
  protocol: ProtocolVersion | null = null;
  voices: CatalogVoice[] = [];
  readonly models = new Set<string>();
  readonly startedAt = Date.now();
  /** Last time a synthesis was sent or finished (idle time for scale-down). */
  lastActivityAt = Date.now();
  /** Last time the process wrote anything on stdout. */
  lastSeenAt = Date.now();
  served = 0;
  rssBytes: number | null = null;
  exitCode: number | null = null;
  exitSignal: string | null = null;

  private readonly options: Required<Omit<EngineWorkerOptions, 'spawn' | 'log'>> & { spawn: SpawnFn; log: (line: string) => void };
  private child: ChildProcessLike | null = null;
  private readonly pending = new Map<string, Pending>();
  private activeSyntheses = 0;
  private readonly decoder: FrameDecoder;
  private lineBuffer = '';
  private handshakeId: string | null = null;
  private handshakeWaiter: ((ack: HandshakeAckPayload | null) => void) | null = null;
  private exitWaiters: (() => void)[] = [];
  private exitListeners: ((worker: EngineWorker) => void)[] = [];

  constructor(id: string, template: WorkerTemplate, options: EngineWorkerOptions = {}) {
    this.id = id;
    this.template = template;
    this.options = {
      handshakeTimeoutMs: 3000,
      startupTimeoutMs: 30_000,
      partialFrameTimeoutMs: 5000,
      concurrency: 1,
      spawn: spawnChild,
      log: (line) => process.stderr.write(`${line}\n`),
      ...options,
    };
    this.decoder = new FrameDecoder({
      onFrame: (frame) => this.onFrame(frame),
      onStray: (text) => (this.protocol === PROTOCOL.V1 ? undefined : this.options.log(`[${this.id}] stray stdout: ${text.slice(0, 200)}`)),
      onCorrupt: (reason) => this.options.log(`[${this.id}] dropped frame: ${reason}`),
      partialFrameTimeoutMs: this.options.partialFrameTimeoutMs,
    });
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Syntheses accepted and not yet answered (counted from the call, before any await). */
  get inFlight(): number {
    return this.activeSyntheses;
  }

  /** Requests this worker may hold at once. */
  get capacity(): number {
    if (this.protocol === PROTOCOL.V1) return 1;
    return Math.max(1, this.template.concurrency ?? this.options.concurrency);
  }

  get alive(): boolean {
    return this.state !== WorkerState.TERMINATED;
  }

  /** True when the worker can serve `voiceId`. */
  serves(voiceId: string): boolean {
    return this.voices.some((v) => v.id === voiceId);
  }

  onExit(listener: (worker: EngineWorker) => void): void {
    this.exitListeners.push(listener);
  }

  /** Spawns the process and negotiates the protocol; resolves when READY. */
  async start(): Promise<void> {
    const t = this.template;
    const child = this.options.spawn(t.command, t.args, { env: { ...process.env, ...t.env, LECTOR_WORKER_ID: this.id }, cwd: t.cwd });
    this.child = child;
    child.on('error', (error) => this.options.log(`[${this.id}] process error: ${error.message}`));
    child.on('exit', (code, signal) => this.onProcessExit(code, signal));
    child.stdout?.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.options.log(`[${this.id}] ${line}`);
    });
    child.stdin?.on('error', (error) => this.options.log(`[${this.id}] stdin: ${error.message}`));

    // Synchronous: microseconds, and no await between spawn and handshake.
    if (t.protocol === PROTOCOL.V1 || t.protocol === 'auto') mkdirSync(V1_DIR, { recursive: true });
    if (t.protocol === PROTOCOL.V1) {
      this.becomeV1();
      return;
    }
    const offered: ProtocolVersion[] = t.protocol === 'auto' ? [PROTOCOL.V2_1, PROTOCOL.V2] : [t.protocol];
    const ack = await this.handshake(offered, t.protocol === 'auto' ? this.options.handshakeTimeoutMs : this.options.startupTimeoutMs);
    if (this.state === WorkerState.TERMINATED) {
      throw new PoolError('handshake_failed', `worker ${this.id} exited during start-up (code ${this.exitCode}, signal ${this.exitSignal})`, { retryable: true });
    }
    if (ack) {
      this.applyAck(ack);
      return;
    }
    if (t.protocol === 'auto') {
      this.options.log(`[${this.id}] no v2 handshake answer in ${this.options.handshakeTimeoutMs} ms: driving it as v1`);
      this.becomeV1();
      return;
    }
    this.kill('SIGKILL');
    throw new PoolError('handshake_failed', `worker ${this.id} did not answer the ${t.protocol} handshake`, { retryable: true });
  }

  private handshake(protocols: ProtocolVersion[], timeoutMs: number): Promise<HandshakeAckPayload | null> {
    return new Promise((resolve) => {
      const msg = envelope(
        'handshake',
        { protocols, workerId: this.id, preload: this.template.preload ?? [] },
        { correlationId: `start-${this.id}`, workerId: this.id, retryCount: 0 },
        PROTOCOL.V2,
      );
      this.handshakeId = msg.messageId;
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (ack: HandshakeAckPayload | null): void => {
        clearTimeout(timer);
        this.handshakeWaiter = null;
        resolve(ack);
      };
      this.handshakeWaiter = finish;
      this.write(encodeJsonFrame(msg));
    });
  }

  private applyAck(ack: HandshakeAckPayload): void {
    this.protocol = ack.protocol;
    this.voices = ack.voices;
    this.models.clear();
    for (const m of ack.models) this.models.add(m);
    this.setState(WorkerState.READY);
  }

  private becomeV1(): void {
    this.protocol = PROTOCOL.V1;
    this.voices = this.template.voices ?? [];
    for (const v of this.voices) this.models.add(v.id);
    this.setState(WorkerState.READY);
  }

  setState(next: WorkerState): void {
    if (this.state === WorkerState.TERMINATED) return;
    if (this.state === WorkerState.SHUTTING_DOWN && next !== WorkerState.TERMINATED) return;
    this.state = next;
  }

  /** Sends one synthesis; rejects with a PoolError. `signal` abandons the wait (timeouts). */
  async synthesize(job: WorkerJob, signal?: AbortSignal): Promise<WorkerAudio> {
    this.activeSyntheses++;
    try {
      return await (this.protocol === PROTOCOL.V1 ? this.synthesizeV1(job, signal) : this.synthesizeV2(job, signal));
    } finally {
      this.activeSyntheses--;
    }
  }

  private async synthesizeV2(job: WorkerJob, signal?: AbortSignal): Promise<WorkerAudio> {
    const payload: RequestPayload = { type: 'synthesize', text: job.text, voice: job.voice, speed: job.speed, priority: job.priority };
    const reply = await this.request(payload, { correlationId: job.correlationId, retryCount: job.retryCount }, signal);
    if (reply.type === 'error') {
      throw new PoolError(reply.retryable ? 'worker_error' : reply.code === 'unknown_voice' ? 'unknown_voice' : reply.code === 'text_too_long' ? 'text_too_long' : 'worker_error', reply.message, {
        retryable: reply.retryable,
        engineCode: reply.code,
      });
    }
    if (reply.type !== 'audio') throw new PoolError('worker_error', `unexpected reply ${reply.type} to synthesize`, { retryable: true });
    const audio = reply as AudioPayload & { body?: Uint8Array };
    const pcm = audio.body ?? (audio.pcmBase64 !== undefined ? new Uint8Array(Buffer.from(audio.pcmBase64, 'base64')) : null);
    if (!pcm || pcm.byteLength !== audio.pcmBytes) throw new PoolError('worker_error', 'audio reply without the announced PCM', { retryable: true });
    this.served++;
    this.lastActivityAt = Date.now();
    this.rssBytes = audio.rssBytes;
    for (const m of audio.models) this.models.add(m);
    return { pcm, sampleRate: audio.sampleRate, engine: audio.engine, voice: audio.voice, words: audio.words, synthMs: audio.synthMs };
  }

  /** Liveness and memory; v1 workers are checked through /proc. */
  async health(timeoutMs: number): Promise<WorkerHealth> {
    if (this.state === WorkerState.TERMINATED || !this.child) throw new PoolError('worker_stopped', `worker ${this.id} is not running`);
    if (this.protocol === PROTOCOL.V1) {
      this.rssBytes = readProcRss(this.child.pid);
      return { rssBytes: this.rssBytes, served: this.served };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('health check timed out')), timeoutMs);
    let reply: ResponsePayload;
    try {
      reply = await this.request({ type: 'health' }, { correlationId: `health-${this.id}`, retryCount: 0 }, controller.signal, 'health');
    } finally {
      clearTimeout(timer);
    }
    this.lastSeenAt = Date.now();
    if (reply.type !== 'health') throw new PoolError('worker_error', `unexpected reply ${reply.type} to health`);
    const h = reply as HealthPayload;
    this.rssBytes = h.rssBytes;
    for (const m of h.models) this.models.add(m);
    return { rssBytes: h.rssBytes, served: h.served };
  }

  private request(
    payload: RequestPayload,
    meta: { correlationId: string; retryCount: number },
    signal?: AbortSignal,
    kind: Pending['kind'] = 'synthesize',
  ): Promise<ResponsePayload & { body?: Uint8Array }> {
    if (this.state === WorkerState.TERMINATED || !this.child) {
      return Promise.reject(new PoolError('worker_stopped', `worker ${this.id} is not running`, { retryable: true }));
    }
    const msg = envelope('request', payload, { ...meta, workerId: this.id }, this.protocol ?? PROTOCOL.V2);
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        this.pending.delete(msg.messageId);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        cleanup();
        reject(new PoolError('worker_timeout', `worker ${this.id} did not answer ${payload.type} in time`, { retryable: true, cause: signal?.reason }));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(msg.messageId, {
        kind,
        resolve: (value) => {
          cleanup();
          resolve(value as ResponsePayload & { body?: Uint8Array });
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      });
      if (kind === 'synthesize') this.lastActivityAt = Date.now();
      this.write(encodeJsonFrame(msg));
    });
  }

  private async synthesizeV1(job: WorkerJob, signal?: AbortSignal): Promise<WorkerAudio> {
    const id = newMessageId('v1');
    const outputPath = join(V1_DIR, `${this.id}-${id}.wav`);
    const t0 = performance.now();
    const req: V1Request = { type: 'synthesize', text: job.text, output_path: outputPath, voice: job.voice, speed: job.speed };
    try {
      const reply = await new Promise<V1Reply>((resolve, reject) => {
        const cleanup = (): void => {
          this.pending.delete(id);
          signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = (): void => {
          cleanup();
          reject(new PoolError('worker_timeout', `v1 worker ${this.id} did not answer in time`, { retryable: true }));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.pending.set(id, {
          kind: 'synthesize',
          v1Path: outputPath,
          resolve: (value) => {
            cleanup();
            resolve((value as { reply: V1Reply }).reply);
          },
          reject: (error) => {
            cleanup();
            reject(error);
          },
        });
        this.lastActivityAt = Date.now();
        this.write(Buffer.from(`${JSON.stringify(req)}\n`, 'utf8'));
      });
      if (reply.status === 'error' || reply.error) {
        throw new PoolError('worker_error', `v1 worker ${this.id}: ${reply.error ?? 'synthesis failed'}`, { retryable: true });
      }
      const wav = parseWav(new Uint8Array(await readFile(outputPath)));
      if (wav.format.channels !== 1) throw new PoolError('worker_error', `v1 worker ${this.id} wrote ${wav.format.channels} channels`, { retryable: false });
      this.served++;
      this.lastActivityAt = Date.now();
      return {
        pcm: new Uint8Array(wav.pcm),
        sampleRate: wav.format.sampleRate,
        engine: this.template.name,
        voice: job.voice,
        words: null,
        synthMs: performance.now() - t0,
      };
    } finally {
      await rm(outputPath, { force: true });
    }
  }

  private onStdout(chunk: Buffer): void {
    this.lastSeenAt = Date.now();
    if (this.protocol !== PROTOCOL.V1) {
      this.decoder.push(chunk);
      return;
    }
    // v1: JSON lines among other text; RS frames still go to the decoder (a slow v2 worker may answer late).
    this.lineBuffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.lineBuffer.indexOf('\n')) >= 0) {
      const line = this.lineBuffer.slice(0, nl);
      this.lineBuffer = this.lineBuffer.slice(nl + 1);
      if (line.includes('\x1e')) this.decoder.push(Buffer.from(`${line.slice(line.indexOf('\x1e'))}\n`, 'utf8'));
      else this.onV1Line(line);
    }
    if (this.lineBuffer.length > 1024 * 1024) {
      this.options.log(`[${this.id}] dropped an over-long stdout line`);
      this.lineBuffer = '';
    }
  }

  private onV1Line(line: string): void {
    const brace = line.indexOf('{');
    if (brace < 0) {
      if (line.trim()) this.options.log(`[${this.id}] stdout: ${line.slice(0, 200)}`);
      return;
    }
    let reply: V1Reply;
    try {
      reply = JSON.parse(line.slice(brace)) as V1Reply;
    } catch {
      this.options.log(`[${this.id}] stdout (not JSON): ${line.slice(0, 200)}`);
      return;
    }
    for (const p of this.pending.values()) {
      if (p.v1Path !== undefined && (reply.output_path === p.v1Path || (reply.output_path === undefined && reply.error && this.pending.size === 1))) {
        p.resolve({ type: 'v1', reply, body: null });
        return;
      }
    }
    this.options.log(`[${this.id}] v1 reply matches no request: ${line.slice(0, 200)}`);
  }

  private onFrame(frame: Frame): void {
    const value = frame.kind === 'json' ? frame.value : frame.header;
    if (!isEnvelope(value)) {
      this.options.log(`[${this.id}] frame without envelope ignored`);
      return;
    }
    const msg = value as Envelope<string, unknown>;
    if (msg.type === 'handshake_ack') {
      const ack = msg.payload as HandshakeAckPayload;
      if (this.handshakeWaiter && msg.inReplyTo === this.handshakeId) this.handshakeWaiter(ack);
      else if (this.protocol === PROTOCOL.V1 && this.pending.size === 0) {
        this.options.log(`[${this.id}] late v2 handshake answer: switching from v1 to ${ack.protocol}`);
        this.applyAck(ack);
      }
      return;
    }
    if (msg.type === 'event') {
      const ev = msg.payload as { message?: string };
      this.options.log(`[${this.id}] ${ev.message ?? JSON.stringify(ev)}`);
      return;
    }
    if (msg.type !== 'response' || msg.inReplyTo === undefined) return;
    const p = this.pending.get(msg.inReplyTo);
    if (!p) {
      this.options.log(`[${this.id}] reply to unknown or abandoned request ${msg.inReplyTo}`);
      return;
    }
    const payload = msg.payload as ResponsePayload;
    p.resolve(frame.kind === 'binary' ? Object.assign({}, payload, { body: frame.body }) : payload);
  }

  private write(bytes: Buffer): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return;
    stdin.write(bytes);
  }

  private onProcessExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitCode = code;
    this.exitSignal = signal;
    const wasStopping = this.state === WorkerState.SHUTTING_DOWN;
    this.state = WorkerState.TERMINATED;
    this.decoder.close();
    this.handshakeWaiter?.(null);
    const error = new PoolError(
      wasStopping ? 'worker_stopped' : 'worker_crashed',
      `worker ${this.id} exited (code ${code}, signal ${signal}) with a request in flight`,
      { retryable: true },
    );
    for (const p of [...this.pending.values()]) p.reject(error);
    this.pending.clear();
    for (const w of this.exitWaiters.splice(0)) w();
    for (const l of this.exitListeners) l(this);
  }

  /** Sends a signal to the process (no-op once it exited). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.state === WorkerState.TERMINATED) return;
    this.child?.kill(signal);
  }

  /** Resolves when the process has exited. */
  exited(): Promise<void> {
    if (this.state === WorkerState.TERMINATED) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /**
   * Graceful stop: no new work; wait up to `drainMs` for requests in flight;
   * close stdin and send SIGTERM; SIGKILL after `killAfterMs`.
   */
  async stop(drainMs: number, killAfterMs: number): Promise<void> {
    if (this.state === WorkerState.TERMINATED) return;
    this.setState(WorkerState.SHUTTING_DOWN);
    const drainDeadline = Date.now() + drainMs;
    while (this.inFlight > 0 && Date.now() < drainDeadline && this.alive) await sleep(Math.min(20, drainMs));
    if (!this.alive) return;
    this.child?.stdin?.end();
    this.kill('SIGTERM');
    const killTimer = setTimeout(() => this.kill('SIGKILL'), killAfterMs);
    await this.exited();
    clearTimeout(killTimer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readProcRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    // Not Linux, or the process just exited: RSS unknown.
    return null;
  }
}
