// Engine worker child process: speaks protocol v2.0/v2.1 on stdin/stdout
// (framing.ts), logs on stderr, hosts the engines, and exits when its parent
// goes away (stdin EOF or re-parenting).
//
//   node src/synth/worker/main.ts [--engines espeak,flite]

import { EngineError } from '../engines/engine.ts';
import { EspeakEngine } from '../engines/espeak.ts';
import { FliteEngine, fliteVoices } from '../engines/flite.ts';
import { joinParts } from '../engines/engine.ts';
import { binaryFrameParts, encodeJsonFrame, FrameDecoder } from '../protocol/framing.ts';
import {
  envelope,
  isEnvelope,
  PROTOCOL,
  type AudioPayload,
  type Envelope,
  type HandshakePayload,
  type ProtocolVersion,
  type RequestPayload,
  type ResponsePayload,
  type SynthesizePayload,
} from '../protocol/messages.ts';
import { EngineHost, type EngineSource } from './engine-host.ts';
import { DEFAULT_WARM_UP_CHARS, IdleWarmUp } from './warm-up.ts';

const SUPPORTED: ProtocolVersion[] = [PROTOCOL.V2_1, PROTOCOL.V2];

const ENGINE_LOADERS: Record<string, EngineSource> = {
  espeak: () => EspeakEngine.load({ warmUp: true }),
  // Listed from its compiled-in voices; compiled (~25-70 MiB) only when a request or preload asks for it.
  flite: { load: () => FliteEngine.load(), voices: fliteVoices },
};

export interface WorkerProcessOptions {
  /** Engines this process hosts (`espeak`, `flite`). */
  engines: string[];
  /** Called before each synthesis; throwing fails that request (fault injection in tests). */
  beforeSynthesize?: (payload: SynthesizePayload) => void;
  /** Characters of idle-time eSpeak warm-up after the handshake (warm-up.ts; default 12,000, 0 = none). */
  warmUpChars?: number;
}

export function runWorker(options: WorkerProcessOptions): void {
  const loaders: Record<string, EngineSource> = {};
  for (const e of options.engines) {
    const loader = ENGINE_LOADERS[e];
    if (!loader) throw new TypeError(`unknown engine ${e}`);
    loaders[e] = loader;
  }
  const host = new EngineHost(loaders);
  const startedAt = Date.now();
  let protocol: ProtocolVersion = PROTOCOL.V2;
  let workerId = `pid-${process.pid}`;
  let served = 0;
  let chain: Promise<void> = Promise.resolve();
  /** Requests received and not yet answered: warm-up steps wait for none. */
  let waiting = 0;
  const warmUp = new IdleWarmUp(
    {
      synthesize: async (text) => void (await (await host.engine('espeak')).synthesizeParts(text, 'espeak:en-us', 1)),
      busy: () => waiting > 0,
      log: (line) => process.stderr.write(`worker ${workerId}: ${line}\n`),
    },
    options.warmUpChars ?? DEFAULT_WARM_UP_CHARS,
  );

  // Libraries that print must not write into the protocol stream.
  console.log = console.error;
  console.info = console.error;

  const write = (frame: Buffer): void => {
    process.stdout.write(frame);
  };
  // One writev of the frame's pieces: the PCM parts go out without being joined.
  const writeParts = (parts: readonly Uint8Array[]): void => {
    process.stdout.cork();
    for (const p of parts) process.stdout.write(p);
    process.stdout.uncork();
  };
  process.stdout.on('error', (error) => {
    process.stderr.write(`worker ${workerId}: stdout closed (${String(error)}), exiting\n`);
    process.exit(0);
  });

  const reply = (request: Envelope<string, unknown>, payload: ResponsePayload, pcmParts?: readonly Uint8Array[]): void => {
    const meta = { ...(request.metadata ?? { correlationId: request.messageId, retryCount: 0 }), workerId };
    if (payload.type === 'audio' && pcmParts) {
      if (protocol === PROTOCOL.V2_1) {
        writeParts(binaryFrameParts(envelope('response', payload, meta, protocol, request.messageId), pcmParts));
        return;
      }
      const pcm = joinParts(pcmParts);
      payload.pcmBase64 = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
    }
    write(encodeJsonFrame(envelope('response', payload, meta, protocol, request.messageId)));
  };

  const handle = async (msg: Envelope<string, unknown>): Promise<void> => {
    if (msg.type === 'handshake') {
      const hs = msg.payload as HandshakePayload;
      workerId = hs.workerId || workerId;
      const chosen = hs.protocols.find((p) => SUPPORTED.includes(p)) ?? PROTOCOL.V2;
      await host.preload(hs.preload.length > 0 ? hs.preload : host.engineIds.slice(0, 1));
      const voices = await host.voices();
      const ack = envelope(
        'handshake_ack',
        { protocol: chosen, pid: process.pid, engines: host.engineIds, voices, models: host.models() },
        { ...msg.metadata, workerId },
        PROTOCOL.V2,
        msg.messageId,
      );
      write(encodeJsonFrame(ack));
      protocol = chosen;
      // Only an eSpeak this worker already loaded; a Flite-only worker does not load it for this.
      if (host.models().includes('espeak:*')) warmUp.kick();
      return;
    }
    if (msg.type !== 'request') return;
    const payload = msg.payload as RequestPayload;
    switch (payload.type) {
      case 'synthesize': {
        const t0 = performance.now();
        try {
          options.beforeSynthesize?.(payload);
          const out = await host.synthesize(payload.text, payload.voice, payload.speed === undefined ? {} : { speed: payload.speed });
          served++;
          warmUp.served(payload.text.length);
          const audio: AudioPayload = {
            type: 'audio',
            engine: out.engine,
            voice: payload.voice,
            sampleRate: out.sampleRate,
            pcmBytes: out.pcmBytes,
            words: out.words,
            synthMs: performance.now() - t0,
            rssBytes: process.memoryUsage.rss(),
            models: host.models(),
          };
          reply(msg, audio, out.pcmParts);
        } catch (error) {
          const code = error instanceof EngineError ? error.code : 'engine_failed';
          process.stderr.write(`worker ${workerId}: synthesis failed: ${String(error)}\n`);
          reply(msg, { type: 'error', code, message: (error as Error).message, retryable: code === 'engine_failed' });
        }
        return;
      }
      case 'health': {
        const mem = process.memoryUsage();
        reply(msg, { type: 'health', rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, uptimeMs: Date.now() - startedAt, served, models: host.models() });
        return;
      }
      case 'shutdown':
        process.exit(0);
    }
  };

  const decoder = new FrameDecoder({
    onFrame: (frame) => {
      const value = frame.kind === 'json' ? frame.value : frame.header;
      if (!isEnvelope(value)) return;
      waiting++;
      chain = chain
        .then(() => handle(value))
        .catch((error: unknown) => {
          process.stderr.write(`worker ${workerId}: ${String(error)}\n`);
        })
        .finally(() => {
          if (--waiting === 0) warmUp.kick();
        });
    },
    onStray: (text) => process.stderr.write(`worker ${workerId}: ignored stdin text: ${text.slice(0, 200)}\n`),
    onCorrupt: (reason) => process.stderr.write(`worker ${workerId}: dropped frame: ${reason}\n`),
  });
  process.stdin.on('data', (chunk: Buffer) => decoder.push(chunk));
  // Parent gone: stdin closes. Exit even if a synthesis is queued.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

/**
 * LECTOR_WORKER_WARM_UP_CHARS, else none under vitest: a test run starts dozens of
 * short-lived pools on a shared machine, and warm-up is CPU spent ahead of demand.
 */
function parseWarmUpChars(): number | undefined {
  const raw = process.env.LECTOR_WORKER_WARM_UP_CHARS;
  if (raw === undefined || raw === '') return process.env.VITEST ? 0 : undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`LECTOR_WORKER_WARM_UP_CHARS must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

function parseEngines(argv: readonly string[]): string[] {
  const i = argv.indexOf('--engines');
  const list = i >= 0 ? argv[i + 1] : process.env.LECTOR_WORKER_ENGINES;
  return (list ?? 'espeak,flite').split(',').map((s) => s.trim()).filter(Boolean);
}

if (import.meta.main) {
  const warmUpChars = parseWarmUpChars();
  runWorker({ engines: parseEngines(process.argv.slice(2)), ...(warmUpChars !== undefined ? { warmUpChars } : {}) });
}
