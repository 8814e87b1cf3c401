// Wire messages between the manager and engine workers, both directions typed
// as unions keyed on `type`. v2 uses the seed's envelope; v1 is the legacy
// one-line request naming an output file.

import type { CatalogVoice } from '../voices.ts';
import type { Priority, WordTimingTuple } from '../types.ts';

export const PROTOCOL = { V1: '1.0', V2: '2.0', V2_1: '2.1' } as const;
export type ProtocolVersion = (typeof PROTOCOL)[keyof typeof PROTOCOL];
/** What a template may ask for: a fixed version, or `auto` to negotiate. */
export type ProtocolPreference = ProtocolVersion | 'auto';

export interface EnvelopeMetadata {
  /** The caller's request id; unchanged across retries. */
  correlationId: string;
  workerId: string;
  retryCount: number;
}

/** The seed's v2.0 envelope; replies also name the request in `inReplyTo`. */
export interface Envelope<TType extends string, TPayload> {
  version: string;
  messageId: string;
  timestamp: number;
  type: TType;
  payload: TPayload;
  metadata: EnvelopeMetadata;
  /** messageId of the request this message answers. */
  inReplyTo?: string;
}

// Manager -> worker

export interface HandshakePayload {
  /** Versions the manager speaks, best first. */
  protocols: ProtocolVersion[];
  workerId: string;
  /** Engines or voice ids to load before answering (model specialization). */
  preload: string[];
}

export interface SynthesizePayload {
  type: 'synthesize';
  text: string;
  voice: string;
  /** Speaking rate multiplier, 0.25-4.0; absent = the engine's default rate (1). */
  speed?: number;
  priority: Priority;
}

export type RequestPayload = SynthesizePayload | { type: 'health' } | { type: 'shutdown' };

export type ManagerMessage = Envelope<'handshake', HandshakePayload> | Envelope<'request', RequestPayload>;

// Worker -> manager

export interface HandshakeAckPayload {
  /** The version both sides will use from the next message on. */
  protocol: ProtocolVersion;
  pid: number;
  engines: string[];
  voices: CatalogVoice[];
  /** Models loaded now (voice ids or `engine:*`). */
  models: string[];
}

export interface AudioPayload {
  type: 'audio';
  engine: string;
  voice: string;
  sampleRate: number;
  /** base64 PCM (v2.0); absent in v2.1, where the PCM is the frame body. */
  pcmBase64?: string;
  pcmBytes: number;
  words: WordTimingTuple[] | null;
  synthMs: number;
  rssBytes: number;
  models: string[];
}

export interface HealthPayload {
  type: 'health';
  rssBytes: number;
  heapUsedBytes: number;
  uptimeMs: number;
  served: number;
  models: string[];
}

export interface ErrorPayload {
  type: 'error';
  code: string;
  message: string;
  /** False when the same request would fail on any worker (bad voice, text too long). */
  retryable: boolean;
}

export type ResponsePayload = AudioPayload | HealthPayload | ErrorPayload;

export type WorkerMessage =
  | Envelope<'handshake_ack', HandshakeAckPayload>
  | Envelope<'response', ResponsePayload>
  | Envelope<'event', { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }>;

// v1 (legacy)

export interface V1Request {
  type: 'synthesize';
  text: string;
  output_path: string;
  /** Extension: the voice id, for v1 workers that serve several voices. */
  voice?: string;
  /** Extension: speed multiplier. */
  speed?: number;
}

export interface V1Reply {
  status?: 'ok' | 'error';
  output_path?: string;
  error?: string;
}

let counter = 0;

/** `msg-<time>-<counter>-<random>`: unique within and across processes. */
export function newMessageId(prefix = 'msg'): string {
  counter = (counter + 1) % 0x7fffffff;
  return `${prefix}-${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function envelope<TType extends string, TPayload>(
  type: TType,
  payload: TPayload,
  metadata: EnvelopeMetadata,
  version: string,
  inReplyTo?: string,
): Envelope<TType, TPayload> {
  const env: Envelope<TType, TPayload> = { version, messageId: newMessageId(), timestamp: Date.now(), type, payload, metadata };
  if (inReplyTo !== undefined) env.inReplyTo = inReplyTo;
  return env;
}

export function isEnvelope(value: unknown): value is Envelope<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.version === 'string' && typeof v.messageId === 'string' && typeof v.type === 'string' && 'payload' in v;
}
