// `workers-ai`: speech from Workers AI through the `AI` binding (deployed mode;
// `wrangler dev` reaches it only with a Cloudflare login, and not on this
// project's machines).
//   MeloTTS (`@cf/myshell-ai/melotts`): input { prompt, lang }, output { audio: base64 MP3 }.
//   Deepgram Aura (`@cf/deepgram/aura-1`, `aura-2-en`, `aura-2-es`): input { text, speaker,
//   encoding, container, sample_rate }, output the audio as a stream; asked for
//   linear16 in a WAV container it gives PCM that the job can stitch.
import { base64ToBytes } from '../../../core/base64.ts';
import { MELOTTS_MODEL, type WorkersAiConfig } from './config.ts';
import type { ProviderDeps } from './http.ts';
import { MIME_TYPES, ProviderError, transportError, type Provider, type SynthesisRequest, type SynthesisResult } from './types.ts';

/** The part of the `Ai` binding this provider uses. */
export interface AiRunner {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
}

export const DEFAULT_AURA_SAMPLE_RATE = 24_000;

export function workersAiProvider(cfg: WorkersAiConfig, deps: ProviderDeps): Provider {
  const melo = cfg.model === MELOTTS_MODEL;
  return {
    name: cfg.name,
    type: 'workers-ai',
    limits: { maxChars: cfg.maxChars, maxConcurrency: cfg.maxConcurrency, formats: melo ? ['mp3'] : ['wav', 'mp3'] },
    format: cfg.format,
    endpoints: [`${cfg.name}:workers-ai`],

    async synthesize(req: SynthesisRequest): Promise<SynthesisResult> {
      const ai = deps.env[cfg.binding] as AiRunner | undefined;
      if (!ai || typeof ai.run !== 'function') {
        throw new ProviderError('config_invalid', `${cfg.name}: no Workers AI binding named ${cfg.binding}`, { status: 500, retryable: false });
      }
      const inputs = melo ? meloInput(req) : auraInput(req, cfg);
      let output: unknown;
      try {
        output = await ai.run(cfg.model, inputs, { signal: req.signal });
      } catch (e) {
        throw classifyAiError(cfg, e);
      }
      const audio = await audioBytes(cfg, output);
      return { audio, mimeType: MIME_TYPES[req.format] };
    },
  };
}

/** MeloTTS: the voice is the language (`en`, `fr`, `es`, `zh`, `ja`, `ko`). */
export function meloInput(req: SynthesisRequest): Record<string, unknown> {
  if (req.format !== 'mp3') throw new ProviderError('config_invalid', `${MELOTTS_MODEL} returns MP3 only`, { status: 500, retryable: false });
  return { prompt: req.text, lang: req.voice };
}

/** Aura: the voice is the speaker (`asteria`, `luna`, ...). */
export function auraInput(req: SynthesisRequest, cfg: Pick<WorkersAiConfig, 'sampleRate'>): Record<string, unknown> {
  if (req.format === 'wav') {
    return { text: req.text, speaker: req.voice, encoding: 'linear16', container: 'wav', sample_rate: cfg.sampleRate ?? DEFAULT_AURA_SAMPLE_RATE };
  }
  return { text: req.text, speaker: req.voice, encoding: 'mp3' };
}

/** Whatever shape the binding answers with (object with base64 `audio`, stream, bytes, Response) → bytes. */
async function audioBytes(cfg: WorkersAiConfig, output: unknown): Promise<Uint8Array> {
  try {
    if (output instanceof Uint8Array) return output;
    if (output instanceof ArrayBuffer) return new Uint8Array(output);
    if (output instanceof ReadableStream) return new Uint8Array(await new Response(output).arrayBuffer());
    if (output instanceof Response) {
      if (!output.ok) throw new ProviderError('synthesis_failed', `${cfg.name}: ${cfg.model} answered ${output.status}`, { status: output.status, retryable: output.status >= 500 || output.status === 429 });
      return new Uint8Array(await output.arrayBuffer());
    }
    const audio = typeof output === 'string' ? output : (output as { audio?: unknown } | null)?.audio;
    if (typeof audio === 'string' && audio !== '') return base64ToBytes(audio);
  } catch (e) {
    if (e instanceof ProviderError) throw e;
    throw new ProviderError('synthesis_failed', `${cfg.name}: could not read ${cfg.model}'s audio: ${String(e)}`, { status: 502, retryable: true, cause: e });
  }
  throw new ProviderError('synthesis_failed', `${cfg.name}: ${cfg.model} answered without audio`, { status: 502, retryable: true });
}

/**
 * Workers AI errors carry a numeric code in their message: 3040 (capacity),
 * 3007/3008 (timeouts) and rate limits are worth retrying; 5006 and other
 * input errors are not; 3036 (daily allocation used up) is not either.
 */
export function classifyAiError(cfg: Pick<WorkersAiConfig, 'name' | 'model'>, e: unknown): ProviderError {
  const message = e instanceof Error ? e.message : String(e);
  const name = (e as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return transportError(`${cfg.name} (${cfg.model})`, e);
  const where = `${cfg.name} (${cfg.model})`;
  if (/\b3036\b|allocation|neurons/i.test(message)) {
    return new ProviderError('rate_limited', `${where}: Workers AI allocation used up: ${message}`, { status: 429, retryable: false, cause: e });
  }
  if (/\b(3040|429)\b|capacity|rate.?limit|too many/i.test(message)) {
    return new ProviderError('rate_limited', `${where}: Workers AI is busy: ${message}`, { status: 429, retryable: true, cause: e });
  }
  if (/\b(5006|400)\b|invalid input|InvalidInput|required properties|must/i.test(message)) {
    return new ProviderError('provider_rejected', `${where}: Workers AI rejected the input: ${message}`, { status: 400, retryable: false, cause: e });
  }
  return new ProviderError('backend_unavailable', `${where}: Workers AI failed: ${message}`, { status: 502, retryable: true, cause: e });
}
