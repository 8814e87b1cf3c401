// The HTTP face of the synthesis service, a thin Hono app over TTSManager:
// OpenAI-compatible `POST /v1/audio/speech`, the voice catalog, health,
// status, Prometheus metrics and a live dashboard.

import { timingSafeEqual, createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DEFAULT_RESPONSE_FORMAT, speechRequestSchema } from '../../core/openai/speech.ts';
import { encodeSpeechParts } from '../encoders/encode.ts';
import type { TTSManager } from '../manager.ts';
import { publicVoice } from '../voices.ts';
import { DASHBOARD_HTML } from './dashboard.ts';
import { fromEncoderError, fromSynthesisError, SynthHttpError } from './errors.ts';

export interface SynthAppOptions {
  /** Bearer token required on every route but `/health` (none: open). */
  token?: string;
  /** Longest `input`, in UTF-16 code units (default 16384). */
  maxInputChars?: number;
  /** Largest request body, bytes (default 256 KiB). */
  maxBodyBytes?: number;
  /** Where 5xx answers are logged (default: stderr). Never receives the token. */
  log?: (line: string) => void;
}

export const SYNTH_APP_DEFAULTS = { maxInputChars: 16_384, maxBodyBytes: 256 * 1024 } as const;

/** Largest `x-lector-words` header value sent (ASCII bytes). */
export const MAX_WORDS_HEADER_BYTES = 8192;

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function createSynthApp(manager: TTSManager, options: SynthAppOptions = {}): Hono {
  const { token } = options;
  const maxInputChars = options.maxInputChars ?? SYNTH_APP_DEFAULTS.maxInputChars;
  const maxBodyBytes = options.maxBodyBytes ?? SYNTH_APP_DEFAULTS.maxBodyBytes;
  const app = new Hono();

  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  app.onError((error) => {
    const e = fromSynthesisError(error);
    if (e.status === 500) log(`lector-synth: 500 ${String(error instanceof Error ? (error.stack ?? error.message) : error)}`);
    else if (e.status > 500) log(`lector-synth: ${e.status} ${e.code}: ${e.message}`);
    return e.toResponse();
  });
  app.notFound((c) => new SynthHttpError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`).toResponse());

  app.get('/health', (c) => {
    const ready = manager.isReady();
    const s = manager.getStatus();
    return c.json({ status: ready ? 'ok' : 'unavailable', ready, workers: s.metrics.activeWorkers, queueDepth: s.queue.depth }, ready ? 200 : 503);
  });

  if (token) {
    app.use('*', async (c, next) => {
      if (c.req.path === '/health') return next();
      const header = c.req.header('authorization') ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (!m || !sameToken(m[1]!.trim(), token)) throw new SynthHttpError(401, 'unauthorized', 'missing or invalid bearer token');
      return next();
    });
  }

  app.post(
    '/v1/audio/speech',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new SynthHttpError(413, 'payload_too_large', `request body larger than ${maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(type)) throw new SynthHttpError(415, 'unsupported_media_type', 'send the request as application/json');
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch (error) {
        if (error instanceof SynthHttpError) throw error;
        throw new SynthHttpError(400, 'invalid_json', 'request body is not valid JSON');
      }
      const parsed = speechRequestSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new SynthHttpError(400, 'validation_failed', `${issue.path.join('.') || 'body'}: ${issue.message}`, { param: String(issue.path[0] ?? '') || undefined });
      }
      const body = parsed.data;
      if (body.input.length > maxInputChars) {
        throw new SynthHttpError(413, 'text_too_long', `input is ${body.input.length} characters; the limit is ${maxInputChars}`, { param: 'input' });
      }
      if (body.input.trim().length === 0) throw new SynthHttpError(400, 'empty_text', 'input is empty', { param: 'input' });
      const format = body.response_format ?? DEFAULT_RESPONSE_FORMAT;
      const voice = manager.resolveVoice(body.voice);
      if (!voice) {
        throw new SynthHttpError(400, 'unknown_voice', `unknown voice ${JSON.stringify(body.voice)}; valid voices include ${manager.voiceExamples().join(', ')} (GET /v1/voices lists all)`, {
          param: 'voice',
        });
      }
      const priority = parsePriority(c.req.header('x-lector-priority'));
      let result;
      try {
        result = await manager.synthesize({
          text: body.input,
          voice: voice.id,
          ...(body.speed !== undefined ? { speed: body.speed } : {}),
          priority,
          correlationId: c.req.header('x-request-id') ?? c.req.header('x-correlation-id'),
          signal: c.req.raw.signal,
        });
      } catch (error) {
        throw fromSynthesisError(error);
      }
      const headers: Record<string, string> = {
        'x-lector-duration-ms': String(result.durationMs),
        'x-lector-sample-rate': String(result.sampleRate),
        'x-lector-engine': String(result.engine),
        'x-lector-voice': result.voice,
        'x-lector-worker': result.workerId,
        'x-lector-attempts': String(result.attempts),
        'x-lector-engine-ms': String(result.engineMs),
        'cache-control': 'no-store',
      };
      let encoded;
      try {
        encoded = await encodeSpeechParts(result.pcmParts, result.pcmBytes, result.sampleRate, format, { signal: c.req.raw.signal });
      } catch (error) {
        throw fromEncoderError(error);
      }
      // The encoded stream's own duration: MP3 and AAC add the encoder's delay and frame padding.
      headers['x-lector-duration-ms'] = String(Math.round(encoded.durationMs));
      headers['x-lector-duration-samples'] = String(encoded.samples);
      headers['x-lector-duration-rate'] = String(encoded.durationSampleRate);
      headers['x-lector-encode-ms'] = encoded.encodeMs.toFixed(1);
      if (result.words && result.words.length > 0) {
        // Timings follow the audio as a decoder plays it (MP3 and AAC start late by their codec delay).
        const shift = Math.round(encoded.delayMs);
        const words = JSON.stringify(shift === 0 ? result.words : result.words.map(([offset, length, start, end]) => [offset, length, start + shift, end + shift]));
        // Clients cap response headers (undici: 16 KiB in all); very long inputs get the audio without timings.
        if (words.length <= MAX_WORDS_HEADER_BYTES) headers['x-lector-words'] = words;
        else headers['x-lector-words-omitted'] = String(result.words.length);
      }
      headers['content-type'] = encoded.contentType;
      if (format === 'pcm') headers['x-sample-rate'] = String(result.sampleRate);
      return new Response(responseBody(encoded.parts), { status: 200, headers: { ...headers, 'content-length': String(encoded.byteLength) } });
    },
  );

  app.get('/v1/voices', (c) => c.json({ voices: manager.voices().map(publicVoice) }));
  app.get('/status', (c) => c.json(manager.getStatus()));
  app.get('/metrics', async (c) => {
    const text = await manager.metrics.text();
    return c.body(text, 200, { 'content-type': manager.metrics.contentType });
  });
  app.get('/dashboard', (c) => c.html(DASHBOARD_HTML));

  return app;
}

/**
 * The answer's bytes as they are: one array, or a stream of the parts (the
 * worker's PCM as it arrived, ~64 KiB each) that the HTTP server writes one by
 * one, so a WAV answer is never copied into one buffer.
 */
function responseBody(parts: readonly Uint8Array[]): Uint8Array | ReadableStream<Uint8Array> {
  if (parts.length === 1) return parts[0]!;
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < parts.length) controller.enqueue(parts[next++]!);
      else controller.close();
    },
  });
}

function parsePriority(value: string | undefined): 'high' | 'normal' | 'low' {
  if (value === undefined) return 'normal';
  if (value === 'high' || value === 'normal' || value === 'low') return value;
  throw new SynthHttpError(400, 'validation_failed', 'x-lector-priority must be high, normal or low', { param: 'x-lector-priority' });
}
