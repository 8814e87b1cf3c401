// `openai-compatible`: POST {baseUrl}/v1/audio/speech on our synthesis service
// or any server that speaks OpenAI's speech API (Kokoro-FastAPI,
// openedai-speech, LocalAI). Word timings come from Lector's `x-lector-words`
// header where the server sends it.
import type { VoiceInfo, WordTiming } from '../../../core/api/types.ts';
import { isRetryableStatus, parseRetryAfter } from '../../../core/retry.ts';
import type { OpenAiCompatibleConfig } from './config.ts';
import { errorDetail, joinUrl, secretValue, type ProviderDeps } from './http.ts';
import { MIME_TYPES, ProviderError, transportError, type Provider, type SynthesisRequest, type SynthesisResult } from './types.ts';

export interface OpenAiCompatibleProvider extends Provider {
  /** The server's catalog (`GET /v1/voices`, Lector's shape), when `listVoices` is set. */
  voices(signal: AbortSignal): Promise<VoiceInfo[]>;
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
    limits: { maxChars: cfg.maxChars, maxConcurrency: cfg.maxConcurrency, formats: ['wav', 'mp3', 'opus'] },
    format: cfg.format,
    endpoints: cfg.urls,

    async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
      const base = req.hints?.endpoint && cfg.urls.includes(req.hints.endpoint) ? req.hints.endpoint : cfg.urls[0]!;
      const h: Record<string, string> = { 'content-type': 'application/json', ...headers() };
      // For the server's logs and for fault injection in tests.
      if (req.hints?.jobId) h['x-lector-job'] = req.hints.jobId;
      if (req.hints?.index !== undefined) h['x-lector-chunk'] = String(req.hints.index);
      let res: Response;
      try {
        res = await deps.fetch(joinUrl(base, '/v1/audio/speech'), {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ model: cfg.model ?? req.hints?.model ?? 'lector', input: req.text, voice: req.voice, response_format: req.format }),
          signal: req.signal,
        });
      } catch (e) {
        throw transportError(`${cfg.name} (${base})`, e);
      }
      if (!res.ok) {
        const detail = await errorDetail(res);
        const auth = res.status === 401 || res.status === 403;
        throw new ProviderError(auth ? 'provider_auth' : 'synthesis_failed', `synthesis service answered ${res.status}: ${detail}`, {
          status: res.status,
          retryable: isRetryableStatus(res.status),
          ...retryAfter(res),
        });
      }
      let audio: Uint8Array;
      try {
        audio = new Uint8Array(await res.arrayBuffer());
      } catch (e) {
        throw transportError(`${cfg.name} (${base})`, e);
      }
      const out: SynthesisResult = { audio, mimeType: MIME_TYPES[req.format] };
      const words = parseWordsHeader(res.headers.get('x-lector-words'), req.text);
      if (words) out.words = words;
      return out;
    },

    async voices(signal: AbortSignal): Promise<VoiceInfo[]> {
      const res = await deps.fetch(joinUrl(cfg.urls[0]!, '/v1/voices'), { headers: headers(), signal });
      if (!res.ok) throw new Error(`${cfg.name}: voice catalog answered ${res.status}: ${await errorDetail(res)}`);
      const body = (await res.json()) as { voices?: VoiceInfo[] };
      if (!Array.isArray(body.voices)) throw new Error(`${cfg.name}: voice catalog has no "voices" array`);
      return body.voices.map((v) => ({ ...v, provider: cfg.name }));
    },
  };
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
