// `openai-compatible`: POST {baseUrl}/v1/audio/speech on our synthesis service
// or any server that speaks OpenAI's speech API (openedai-speech, LocalAI), and
// the neural servers people run locally with their own twists (`server`):
// Kokoro-FastAPI (kokoro.ts: word timestamps from /dev/captioned_speech) and
// Piper's HTTP server (piper.ts). Word timings from our service come in
// Lector's `x-lector-words` header. `speed` is sent to every kind.
import type { VoiceInfo, WordTiming } from '../../../core/api/types.ts';
import { isRetryableStatus, parseRetryAfter } from '../../../core/retry.ts';
import { WAV_HEADER_BYTES } from '../../../core/audio/wav.ts';
import { readHead } from '../wavPassThrough.ts';
import type { OpenAiCompatibleConfig } from './config.ts';
import { errorDetail, joinUrl, secretValue, type ProviderDeps } from './http.ts';
import { kokoroBody, parseCaptioned, parseKokoroVoices } from './kokoro.ts';
import { parsePiperVoices, piperBody } from './piper.ts';
import { MIME_TYPES, ProviderError, transportError, type Provider, type SynthesisRequest, type SynthesisResult } from './types.ts';

export interface OpenAiCompatibleProvider extends Provider {
  /**
   * The server's catalog when `listVoices` is set: `GET /v1/voices` (Lector's shape), Kokoro's
   * `/v1/audio/voices` or Piper's `/voices`; Kokoro and Piper ids get `idPrefix`.
   */
  voices(signal: AbortSignal, idPrefix?: string): Promise<VoiceInfo[]>;
}

export function openAiCompatibleProvider(cfg: OpenAiCompatibleConfig, deps: ProviderDeps): OpenAiCompatibleProvider {
  const headers = (): Record<string, string> => {
    const key = secretValue(deps.env, cfg.apiKeySecret);
    if (cfg.apiKeyRequired && !key) {
      throw new ProviderError('config_invalid', `${cfg.name}: secret ${cfg.apiKeySecret} is not set`, { status: 500, retryable: false });
    }
    return key ? { authorization: `Bearer ${key}` } : {};
  };

  return {
    name: cfg.name,
    type: 'openai-compatible',
    // Piper's server writes WAV only.
    limits: { maxChars: cfg.maxChars, maxConcurrency: cfg.maxConcurrency, formats: cfg.server === 'piper' ? ['wav'] : ['wav', 'mp3', 'opus', 'aac'] },
    format: cfg.format,
    endpoints: cfg.urls,

    async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
      const base = req.hints?.endpoint && cfg.urls.includes(req.hints.endpoint) ? req.hints.endpoint : cfg.urls[0]!;
      const h: Record<string, string> = { 'content-type': 'application/json', ...headers() };
      // For the server's logs and for fault injection in tests.
      if (req.hints?.jobId) h['x-lector-job'] = req.hints.jobId;
      if (req.hints?.index !== undefined) h['x-lector-chunk'] = String(req.hints.index);
      const model = cfg.model ?? req.hints?.model ?? (cfg.server === 'kokoro' ? 'kokoro' : 'lector');
      const captioned = cfg.server === 'kokoro' && cfg.wordTimestamps;
      let path = '/v1/audio/speech';
      let body: Record<string, unknown>;
      if (cfg.server === 'piper') {
        path = cfg.piperPath;
        body = piperBody(req.text, req.voice, req.speed);
      } else if (cfg.server === 'kokoro') {
        if (captioned) path = '/dev/captioned_speech';
        body = kokoroBody(req.text, req.voice, req.format, model, req.speed, captioned);
      } else {
        body = { model, input: req.text, voice: req.voice, response_format: req.format };
        if (req.speed !== undefined && req.speed !== 1) body.speed = req.speed;
      }
      let res: Response;
      try {
        res = await deps.fetch(joinUrl(base, path), { method: 'POST', headers: h, body: JSON.stringify(body), signal: req.signal });
      } catch (e) {
        throw transportError(`${cfg.name} (${base})`, e);
      }
      if (!res.ok) {
        const detail = await errorDetail(res);
        const auth = res.status === 401 || res.status === 403;
        throw new ProviderError(auth ? 'provider_auth' : 'synthesis_failed', `${cfg.name} answered ${res.status}: ${detail}`, {
          status: res.status,
          retryable: isRetryableStatus(res.status),
          ...retryAfter(res),
        });
      }
      const mimeType = cfg.server === 'piper' ? MIME_TYPES.wav : MIME_TYPES[req.format];
      try {
        if (captioned) {
          const { audio, words } = parseCaptioned(await res.json(), req.text);
          return words.length > 0 ? { audio, mimeType, words } : { audio, mimeType };
        }
        const out = await readAudio(res, req.streamWav === true && req.format === 'wav' && cfg.server !== 'piper', mimeType);
        const words = parseWordsHeader(res.headers.get('x-lector-words'), req.text);
        if (words) out.words = words;
        return out;
      } catch (e) {
        if (e instanceof SyntaxError || (e instanceof Error && /captioned/.test(e.message))) {
          throw new ProviderError('synthesis_failed', `${cfg.name} sent an unreadable answer: ${e.message}`, { status: 502, retryable: true, cause: e });
        }
        throw transportError(`${cfg.name} (${base})`, e);
      }
    },

    async voices(signal: AbortSignal, idPrefix = ''): Promise<VoiceInfo[]> {
      const path = cfg.server === 'kokoro' ? '/v1/audio/voices' : cfg.server === 'piper' ? '/voices' : '/v1/voices';
      const res = await deps.fetch(joinUrl(cfg.urls[0]!, path), { headers: headers(), signal });
      if (!res.ok) throw new Error(`${cfg.name}: voice catalog answered ${res.status}: ${await errorDetail(res)}`);
      if (cfg.server === 'kokoro') return parseKokoroVoices(await res.json(), cfg.name, idPrefix);
      if (cfg.server === 'piper') return parsePiperVoices(await res.json(), cfg.name, idPrefix);
      const body = (await res.json()) as { voices?: VoiceInfo[] };
      if (!Array.isArray(body.voices)) throw new Error(`${cfg.name}: voice catalog has no "voices" array`);
      return body.voices.map((v) => ({ ...v, provider: cfg.name }));
    },
  };
}

/**
 * The body, whole; or, for a WAV the caller can stream with a Content-Length, its header
 * and the unread rest (the isolate never holds a grown chunk's megabytes).
 */
async function readAudio(res: Response, streamable: boolean, mimeType: string): Promise<SynthesisResult> {
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (!streamable || !res.body || !Number.isSafeInteger(length) || length <= WAV_HEADER_BYTES) {
    return { audio: new Uint8Array(await res.arrayBuffer()), mimeType };
  }
  const { head, ended } = await readHead(res.body, WAV_HEADER_BYTES);
  return ended ? { audio: head, mimeType } : { audio: head, mimeType, rest: { body: res.body, length } };
}

function retryAfter(res: Response): { retryAfterMs?: number } {
  const ms = parseRetryAfter(res.headers.get('retry-after'));
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** `x-lector-words: [[offset, length, startMs, endMs], ...]` → word timings. */
export function parseWordsHeader(header: string | null, text: string): WordTiming[] | undefined {
  if (!header) return undefined;
  try {
    const rows = JSON.parse(header) as [number, number, number, number][];
    return rows.map(([offset, length, startMs, endMs]) => ({ text: text.slice(offset, offset + length), offset, startMs, endMs }));
  } catch (e) {
    console.warn('backend: ignoring malformed x-lector-words header', String(e));
    return undefined;
  }
}
