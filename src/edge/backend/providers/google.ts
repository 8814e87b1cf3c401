// `google` (seed 001's provider): Cloud Text-to-Speech REST `text:synthesize`.
// POST {baseUrl}/v1/text:synthesize with the API key (a Worker secret) in the
// `x-goog-api-key` header; the answer's base64 `audioContent` is LINEAR16 with
// a WAV header, or MP3. https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize
import { base64ToBytes } from '../../../core/base64.ts';
import { parseRetryAfter } from '../../../core/retry.ts';
import type { GoogleConfig } from './config.ts';
import { errorDetail, joinUrl, secretValue, type ProviderDeps } from './http.ts';
import { ProviderError, transportError, type Provider, type SynthesisRequest, type SynthesisResult } from './types.ts';

/** Google refuses input over 5,000 bytes. */
export const GOOGLE_MAX_INPUT_BYTES = 5000;

/** The documented request body. */
export interface GoogleSynthesizeRequest {
  input: { text: string };
  voice: { languageCode: string; name: string };
  audioConfig: { audioEncoding: 'LINEAR16' | 'MP3'; sampleRateHertz?: number; speakingRate?: number };
}

/** The documented error body (google.rpc.Status). */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: string };
}

export function googleProvider(cfg: GoogleConfig, deps: ProviderDeps): Provider {
  return {
    name: cfg.name,
    type: 'google',
    limits: { maxChars: cfg.maxChars, maxConcurrency: cfg.maxConcurrency, formats: ['wav', 'mp3'] },
    format: cfg.format,
    endpoints: [`${cfg.name}:google`],

    async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
      const key = secretValue(deps.env, cfg.apiKeySecret);
      if (!key) {
        throw new ProviderError('config_invalid', `${cfg.name}: secret ${cfg.apiKeySecret} is not set (wrangler secret put ${cfg.apiKeySecret})`, { status: 500, retryable: false });
      }
      const bytes = new TextEncoder().encode(req.text).byteLength;
      if (bytes > GOOGLE_MAX_INPUT_BYTES) {
        throw new ProviderError('chunk_too_long', `${cfg.name}: text is ${bytes} UTF-8 bytes; Google accepts at most ${GOOGLE_MAX_INPUT_BYTES} (lower maxChars)`, { status: 413, retryable: false });
      }
      const languageCode = req.language ?? languageOf(req.voice);
      if (!languageCode) {
        throw new ProviderError('config_invalid', `${cfg.name}: cannot tell the language of voice "${req.voice}"; set "language" on the voice`, { status: 500, retryable: false });
      }
      const encoding = req.format === 'mp3' ? 'MP3' : 'LINEAR16';
      const body: GoogleSynthesizeRequest = { input: { text: req.text }, voice: { languageCode, name: req.voice }, audioConfig: { audioEncoding: encoding } };
      if (cfg.sampleRateHertz !== undefined) body.audioConfig.sampleRateHertz = cfg.sampleRateHertz;
      // Google's speakingRate takes 0.25–4.0, like Lector's speed; the job's speed multiplies the configured rate.
      const rate = Math.min(4, Math.max(0.25, (cfg.speakingRate ?? 1) * (req.speed ?? 1)));
      if (cfg.speakingRate !== undefined || rate !== 1) body.audioConfig.speakingRate = rate;
      let res: Response;
      try {
        res = await deps.fetch(joinUrl(cfg.baseUrl, '/v1/text:synthesize'), {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'x-goog-api-key': key },
          body: JSON.stringify(body),
          signal: req.signal,
        });
      } catch (e) {
        throw transportError(`${cfg.name} (Google TTS)`, e);
      }
      if (!res.ok) throw await googleError(cfg, res);
      let payload: { audioContent?: unknown };
      try {
        payload = (await res.json()) as { audioContent?: unknown };
      } catch (e) {
        throw new ProviderError('synthesis_failed', `${cfg.name}: Google TTS answered 200 with a body that is not JSON: ${String(e)}`, { status: 502, retryable: true, cause: e });
      }
      if (typeof payload.audioContent !== 'string' || payload.audioContent === '') {
        throw new ProviderError('synthesis_failed', `${cfg.name}: Google TTS answered 200 without audioContent`, { status: 502, retryable: true });
      }
      let audio: Uint8Array;
      try {
        audio = base64ToBytes(payload.audioContent);
      } catch (e) {
        throw new ProviderError('synthesis_failed', `${cfg.name}: audioContent is not base64: ${String(e)}`, { status: 502, retryable: true, cause: e });
      }
      return { audio, mimeType: encoding === 'MP3' ? 'audio/mpeg' : 'audio/wav' };
    },
  };
}

/** `en-US-Neural2-C` → `en-US`; `cmn-CN-Wavenet-A` → `cmn-CN`. */
export function languageOf(voiceName: string): string | undefined {
  return /^([a-z]{2,3}-[A-Z]{2})-/.exec(voiceName)?.[1];
}

/** 400, 403 and 429 as errors that say what to do; 5xx retryable. */
async function googleError(cfg: GoogleConfig, res: Response): Promise<ProviderError> {
  const text = await errorDetail(res);
  let status = '';
  let message = text;
  try {
    const body = JSON.parse(text) as Partial<GoogleErrorBody>;
    if (body.error) {
      status = body.error.status ?? '';
      message = body.error.message ?? text;
    }
  } catch (e) {
    console.warn(`backend: ${cfg.name}: Google error body is not JSON`, String(e));
  }
  const what = `${res.status}${status ? ` ${status}` : ''}`;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const extra = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (res.status === 400 && /api key/i.test(message)) {
    return new ProviderError('provider_auth', `Google TTS rejected the API key (${what}): ${message} — check the secret ${cfg.apiKeySecret}`, { status: 400, retryable: false });
  }
  switch (res.status) {
    case 400:
      return new ProviderError('provider_rejected', `Google TTS rejected the request (${what}): ${message} — check the voice name, language and audio settings`, { status: 400, retryable: false });
    case 401:
    case 403:
      return new ProviderError('provider_auth', `Google TTS refused access (${what}): ${message} — is the Cloud Text-to-Speech API enabled for the key's project, and is ${cfg.apiKeySecret} allowed to call it?`, { status: res.status, retryable: false });
    case 429:
      return new ProviderError('rate_limited', `Google TTS quota or rate limit exceeded (${what}): ${message}`, { status: 429, retryable: true, ...extra });
    default:
      if (res.status >= 500 || res.status === 408) {
        return new ProviderError('backend_unavailable', `Google TTS failed (${what}): ${message}`, { status: res.status, retryable: true, ...extra });
      }
      return new ProviderError('provider_rejected', `Google TTS answered ${what}: ${message}`, { status: res.status, retryable: false });
  }
}
