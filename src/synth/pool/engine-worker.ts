// One engine worker process as the manager sees it: spawn, stdout routing,
// synthesis and health over the negotiated protocol, its state (through the
// WorkerStateMachine), and stop with SIGTERM then SIGKILL.

import { FrameDecoder, type Frame } from '../protocol/framing.ts';
import { isEnvelope, PROTOCOL, type Envelope, type HealthPayload, type ProtocolPreference, type ProtocolVersion, type RequestPayload, type SynthesizePayload } from '../protocol/messages.ts';
import { WorkerState } from '../types.ts';
import type { CatalogVoice } from '../voices.ts';
import { spawnChild, type ChildProcessLike, type SpawnFn } from './child.ts';
import { PoolError } from './errors.ts';
import { readProcRss } from './proc-memory.ts';
import { ProtocolNegotiator, type NegotiatedProtocol } from './protocol-negotiator.ts';
import { RequestCorrelator, type CorrelatedReply } from './request-correlator.ts';
import { V1Adapter } from './v1-adapter.ts';
import type { WorkerAudio, WorkerHealth, WorkerSynthesisRequest } from './worker-request.ts';
import { WorkerStateMachine } from './worker-state.ts';

export type { WorkerAudio, WorkerHealth, WorkerSynthesisRequest } from './worker-request.ts';

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
  /** What an illegal state transition does (see WorkerStateMachine). */
  onIllegalTransition?: 'throw' | 'refuse';
}

export class EngineWorker {
  readonly id: string;
  readonly template: WorkerTemplate;
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

  private readonly options: Required<Omit<EngineWorkerOptions, 'spawn' | 'log' | 'onIllegalTransition'>> & { spawn: SpawnFn; log: (line: string) => void };
  private readonly machine: WorkerStateMachine;
  private child: ChildProcessLike | null = null;
  private activeSyntheses = 0;
  private readonly decoder: FrameDecoder;
  private readonly v2: RequestCorrelator;
  private readonly v1: V1Adapter;
  private readonly negotiator: ProtocolNegotiator;
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
    const log = this.options.log;
    this.machine = new WorkerStateMachine(id, { log, ...(options.onIllegalTransition ? { onIllegal: options.onIllegalTransition } : {}) });
    const send = (bytes: Buffer): void => this.write(bytes);
    this.v2 = new RequestCorrelator(id, send, log);
    this.v1 = new V1Adapter(id, template.name, send, log);
    const worker = this;
    this.negotiator = new ProtocolNegotiator(
      {
        id,
        protocolPreference: template.protocol,
        preload: template.preload ?? [],
        v1Voices: template.voices ?? [],
        get protocol() {
          return worker.protocol;
        },
        get v1Pending() {
          return worker.v1.size;
        },
        send,
        log,
        adopt: (result) => this.adopt(result),
      },
      { handshakeTimeoutMs: this.options.handshakeTimeoutMs, startupTimeoutMs: this.options.startupTimeoutMs },
    );
    this.decoder = new FrameDecoder({
      onFrame: (frame) => this.onFrame(frame),
      onStray: (text) => (this.protocol === PROTOCOL.V1 ? undefined : log(`[${this.id}] stray stdout: ${text.slice(0, 200)}`)),
      onCorrupt: (reason) => log(`[${this.id}] dropped frame: ${reason}`),
      partialFrameTimeoutMs: this.options.partialFrameTimeoutMs,
    });
  }

  get state(): WorkerState {
    return this.machine.state;
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

    const agreed = await this.negotiator.start();
    if (this.state === WorkerState.TERMINATED) {
      throw new PoolError('handshake_failed', `worker ${this.id} exited during start-up (code ${this.exitCode}, signal ${this.exitSignal})`, { retryable: true });
    }
    if (agreed) return;
    this.kill('SIGKILL');
    throw new PoolError('handshake_failed', `worker ${this.id} did not answer the ${t.protocol} handshake`, { retryable: true });
  }

  /** Takes on a negotiated protocol; a starting worker becomes READY (one stopped meanwhile stays stopping). */
  private adopt(result: NegotiatedProtocol): void {
    this.protocol = result.protocol;
    this.voices = result.voices;
    if (result.replaceModels) this.models.clear();
    for (const m of result.models) this.models.add(m);
    if (this.state === WorkerState.INITIALIZING) this.machine.to(WorkerState.READY);
    else this.updateLoadState(); // a late v1 -> v2 switch may raise the capacity
  }

  /** READY ⇄ BUSY from the load: BUSY only while no capacity is left. */
  private updateLoadState(): void {
    if (this.state === WorkerState.READY && this.inFlight >= this.capacity) this.machine.to(WorkerState.BUSY);
    else if (this.state === WorkerState.BUSY && this.inFlight < this.capacity) this.machine.to(WorkerState.READY);
  }

  /** A health check failed: no new work until one passes. Ignored once the worker is stopping. */
  markUnhealthy(): void {
    if (this.state === WorkerState.SHUTTING_DOWN || this.state === WorkerState.TERMINATED) return;
    this.machine.to(WorkerState.UNHEALTHY);
  }

  /** A health check passed after failing. */
  markHealthy(): void {
    if (this.state === WorkerState.UNHEALTHY) this.machine.to(WorkerState.READY);
  }

  /** Sends one synthesis; rejects with a PoolError. `signal` abandons the wait (timeouts). */
  async synthesize(request: WorkerSynthesisRequest, signal?: AbortSignal): Promise<WorkerAudio> {
    this.activeSyntheses++;
    this.updateLoadState();
    try {
      const audio = await (this.protocol === PROTOCOL.V1 ? this.v1.synthesize(request, signal, () => this.touch()) : this.synthesizeV2(request, signal));
      this.served++;
      this.touch();
      return audio;
    } finally {
      this.activeSyntheses--;
      this.updateLoadState();
    }
  }

  private touch(): void {
    this.lastActivityAt = Date.now();
  }

  private async synthesizeV2(request: WorkerSynthesisRequest, signal?: AbortSignal): Promise<WorkerAudio> {
    const payload: SynthesizePayload = { type: 'synthesize', text: request.text, voice: request.voice, priority: request.priority };
    if (request.speed !== undefined) payload.speed = request.speed;
    const reply = await this.request(payload, { correlationId: request.correlationId, retryCount: request.retryCount }, signal, true);
    if (reply.type === 'error') {
      throw new PoolError(reply.retryable ? 'worker_error' : reply.code === 'unknown_voice' ? 'unknown_voice' : reply.code === 'text_too_long' ? 'text_too_long' : 'worker_error', reply.message, {
        retryable: reply.retryable,
        engineCode: reply.code,
      });
    }
    if (reply.type !== 'audio') throw new PoolError('worker_error', `unexpected reply ${reply.type} to synthesize`, { retryable: true });
    const pcmParts = reply.bodyParts ?? (reply.pcmBase64 !== undefined ? [new Uint8Array(Buffer.from(reply.pcmBase64, 'base64'))] : null);
    const pcmBytes = pcmParts?.reduce((n, p) => n + p.byteLength, 0);
    if (!pcmParts || pcmBytes !== reply.pcmBytes) throw new PoolError('worker_error', 'audio reply without the announced PCM', { retryable: true });
    this.rssBytes = reply.rssBytes;
    for (const m of reply.models) this.models.add(m);
    return { pcmParts, pcmBytes, sampleRate: reply.sampleRate, engine: reply.engine, voice: reply.voice, words: reply.words, synthMs: reply.synthMs };
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
    let reply: CorrelatedReply;
    try {
      reply = await this.request({ type: 'health' }, { correlationId: `health-${this.id}`, retryCount: 0 }, controller.signal, false);
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

  private request(payload: RequestPayload, meta: { correlationId: string; retryCount: number }, signal: AbortSignal | undefined, isSynthesis: boolean): Promise<CorrelatedReply> {
    if (this.state === WorkerState.TERMINATED || !this.child) {
      return Promise.reject(new PoolError('worker_stopped', `worker ${this.id} is not running`, { retryable: true }));
    }
    if (isSynthesis && !signal?.aborted) this.touch();
    return this.v2.request(payload, { ...meta, workerId: this.id }, this.protocol ?? PROTOCOL.V2, signal);
  }

  private onStdout(chunk: Buffer): void {
    this.lastSeenAt = Date.now();
    if (this.protocol === PROTOCOL.V1) this.v1.push(chunk, (text) => this.decoder.push(Buffer.from(text, 'utf8')));
    else this.decoder.push(chunk);
  }

  private onFrame(frame: Frame): void {
    const value = frame.kind === 'json' ? frame.value : frame.header;
    if (!isEnvelope(value)) {
      this.options.log(`[${this.id}] frame without envelope ignored`);
      return;
    }
    const msg = value as Envelope<string, unknown>;
    if (msg.type === 'handshake_ack') this.negotiator.onAck(msg);
    else if (msg.type === 'event') {
      const ev = msg.payload as { message?: string };
      this.options.log(`[${this.id}] ${ev.message ?? JSON.stringify(ev)}`);
    } else if (msg.type === 'response') this.v2.settle(msg, frame.kind === 'binary' ? frame.parts : undefined);
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
    this.machine.to(WorkerState.TERMINATED);
    this.decoder.close();
    this.negotiator.abandon();
    const error = new PoolError(
      wasStopping ? 'worker_stopped' : 'worker_crashed',
      `worker ${this.id} exited (code ${code}, signal ${signal}) with a request in flight`,
      { retryable: true },
    );
    this.v2.rejectAll(error);
    this.v1.rejectAll(error);
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
    this.machine.to(WorkerState.SHUTTING_DOWN);
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
