// Test double for a worker process: an EventEmitter with PassThrough stdio
// that speaks the v2 protocol (or v1, or nothing) according to a script, so
// pool logic can be tested without processes and under a fake clock.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcessLike, SpawnFn } from '../pool/child.ts';
import { encodeBinaryFrame, encodeJsonFrame, FrameDecoder } from '../protocol/framing.ts';
import { envelope, isEnvelope, PROTOCOL, type Envelope, type HandshakePayload, type ProtocolVersion, type RequestPayload, type ResponsePayload } from '../protocol/messages.ts';
import type { CatalogVoice } from '../voices.ts';

export const FAKE_VOICES: CatalogVoice[] = [
  { id: 'espeak:en-us', engine: 'espeak', language: 'en-us', name: 'English (America)', sampleRate: 22050, aliases: ['en-us'] },
  { id: 'flite:slt', engine: 'flite', language: 'en-us', name: 'Flite SLT', sampleRate: 16000, aliases: ['slt'] },
];

/** What the fake does with one synthesize request. */
export type FakeAction =
  | { kind: 'audio'; delayMs?: number; samples?: number }
  | { kind: 'error'; code?: string; retryable?: boolean; delayMs?: number }
  | { kind: 'crash'; delayMs?: number }
  | { kind: 'hang' };

export interface FakeBehavior {
  /** `v2` answers the handshake; `v1` ignores it and answers v1 lines; `silent` never answers. */
  mode?: 'v2' | 'v1' | 'silent';
  /** Protocol to accept in the handshake (default: first offered). */
  protocol?: ProtocolVersion;
  handshakeDelayMs?: number;
  voices?: CatalogVoice[];
  /** Decides each synthesize request (default: audio after 10 ms). */
  onSynthesize?: (text: string, voice: string, n: number) => FakeAction;
  /** Health requests: answered unless this returns false. */
  answerHealth?: () => boolean;
  /** Print this junk before every frame. */
  garbage?: string;
}

export class FakeChild extends EventEmitter implements ChildProcessLike {
  static nextPid = 10_000;
  readonly pid: number;
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly received: Envelope<string, unknown>[] = [];
  readonly v1Lines: string[] = [];
  synthesized = 0;
  private protocol: ProtocolVersion = PROTOCOL.V2;
  private readonly behavior: FakeBehavior;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(behavior: FakeBehavior = {}) {
    super();
    this.pid = FakeChild.nextPid++;
    this.behavior = behavior;
    const decoder = new FrameDecoder({
      onFrame: (f) => {
        const v = f.kind === 'json' ? f.value : f.header;
        if (isEnvelope(v)) this.onMessage(v);
      },
    });
    let v1Buffer = '';
    this.stdin.on('data', (chunk: Buffer) => {
      if (this.exitCode !== null || this.signalCode !== null) return;
      if ((behavior.mode ?? 'v2') === 'v1') {
        v1Buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = v1Buffer.indexOf('\n')) >= 0) {
          const line = v1Buffer.slice(0, nl);
          v1Buffer = v1Buffer.slice(nl + 1);
          this.onV1Line(line);
        }
        return;
      }
      decoder.push(chunk);
    });
    queueMicrotask(() => this.emit('spawn'));
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.exit(null, typeof signal === 'number' ? 'SIGKILL' : signal);
    return true;
  }

  /** Ends the fake process as if it crashed or exited. */
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    for (const t of this.timers) clearTimeout(t);
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout.end();
    this.stderr.end();
    queueMicrotask(() => this.emit('exit', code, signal));
  }

  get alive(): boolean {
    return this.exitCode === null && this.signalCode === null;
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) {
      queueMicrotask(() => this.alive && fn());
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.alive) fn();
    }, ms);
    this.timers.add(t);
  }

  private send(frame: Buffer): void {
    if (!this.alive) return;
    if (this.behavior.garbage) this.stdout.write(this.behavior.garbage);
    this.stdout.write(frame);
  }

  private reply(req: Envelope<string, unknown>, payload: ResponsePayload, pcm?: Uint8Array): void {
    const msg = envelope('response', payload, { ...req.metadata }, this.protocol, req.messageId);
    if (payload.type === 'audio' && pcm) {
      if (this.protocol === PROTOCOL.V2_1) return this.send(encodeBinaryFrame(msg, pcm));
      payload.pcmBase64 = Buffer.from(pcm).toString('base64');
    }
    this.send(encodeJsonFrame(msg));
  }

  private onMessage(msg: Envelope<string, unknown>): void {
    this.received.push(msg);
    const mode = this.behavior.mode ?? 'v2';
    if (mode !== 'v2') return;
    if (msg.type === 'handshake') {
      const hs = msg.payload as HandshakePayload;
      this.later(this.behavior.handshakeDelayMs ?? 0, () => {
        const chosen = this.behavior.protocol ?? hs.protocols[0] ?? PROTOCOL.V2;
        const voices = this.behavior.voices ?? FAKE_VOICES;
        this.send(
          encodeJsonFrame(
            envelope('handshake_ack', { protocol: chosen, pid: this.pid, engines: ['espeak', 'flite'], voices, models: ['espeak:*', ...hs.preload] }, msg.metadata, PROTOCOL.V2, msg.messageId),
          ),
        );
        this.protocol = chosen;
      });
      return;
    }
    const payload = msg.payload as RequestPayload;
    if (payload.type === 'health') {
      if (this.behavior.answerHealth && !this.behavior.answerHealth()) return;
      this.later(0, () => this.reply(msg, { type: 'health', rssBytes: 50_000_000, heapUsedBytes: 1, uptimeMs: 1, served: this.synthesized, models: [] }));
      return;
    }
    if (payload.type !== 'synthesize') return;
    const n = ++this.synthesized;
    const action = this.behavior.onSynthesize?.(payload.text, payload.voice, n) ?? { kind: 'audio', delayMs: 10 };
    switch (action.kind) {
      case 'audio': {
        const samples = action.samples ?? 2205;
        const pcm = new Uint8Array(samples * 2);
        for (let i = 0; i < pcm.length; i++) pcm[i] = (i * 7 + n) & 0xff;
        this.later(action.delayMs ?? 10, () =>
          this.reply(msg, { type: 'audio', engine: payload.voice.split(':')[0]!, voice: payload.voice, sampleRate: 22050, pcmBytes: pcm.byteLength, words: [[0, 1, 0, 50]], synthMs: 1, rssBytes: 60_000_000, models: [payload.voice] }, pcm),
        );
        return;
      }
      case 'error':
        this.later(action.delayMs ?? 5, () => this.reply(msg, { type: 'error', code: action.code ?? 'engine_failed', message: 'scripted failure', retryable: action.retryable ?? true }));
        return;
      case 'crash':
        this.later(action.delayMs ?? 5, () => this.exit(null, 'SIGKILL'));
        return;
      case 'hang':
        return;
    }
  }

  private onV1Line(line: string): void {
    this.v1Lines.push(line);
    let req: { type?: string; output_path?: string; text?: string };
    try {
      req = JSON.parse(line) as typeof req;
    } catch {
      this.stdout.write('error: could not parse request\n');
      return;
    }
    if (req.type !== 'synthesize' || !req.output_path) return;
    this.synthesized++;
    // The fake cannot write files here; v1 file handling is covered with real processes.
    this.later(5, () => this.stdout.write(`${JSON.stringify({ status: 'error', output_path: req.output_path, error: 'fake v1 writes no files' })}\n`));
  }
}

/** A SpawnFn that creates FakeChild processes; `behaviors` are used in order, the last one repeats. */
export function fakeSpawner(...behaviors: FakeBehavior[]): SpawnFn & { children: FakeChild[] } {
  const children: FakeChild[] = [];
  const fn = ((): FakeChild => {
    const b = behaviors[Math.min(children.length, behaviors.length - 1)] ?? {};
    const child = new FakeChild(b);
    children.push(child);
    return child;
  }) as unknown as SpawnFn & { children: FakeChild[] };
  fn.children = children;
  return fn;
}
