// The `workers-ai` provider at its boundary: a fake `AI` binding implementing
// `run(model, inputs)` with the documented shapes (MeloTTS: { prompt, lang } →
// { audio: base64 MP3 }; Aura: { text, speaker, encoding, container,
// sample_rate } → an audio stream). No machine here reaches Workers AI.
import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav } from '../../../core/audio/wav.ts';
import { bytesToBase64 } from '../../../core/base64.ts';
import { mp3DurationMs } from '../audio/mp3.ts';
import { loadProviderConfig, type WorkersAiConfig } from './config.ts';
import { doubleMp3 } from './testing/googleDouble.ts';
import { providerFailure } from './testing/providerFailure.ts';
import type { SynthesisRequest } from './types.ts';
import { classifyAiError, workersAiProvider, type AiRunner } from './workersAi.ts';

interface Call {
  model: string;
  inputs: Record<string, unknown>;
  signal?: AbortSignal;
}

/** A fake AI binding answering per the documented output shapes. */
function fakeAi(answer?: (call: Call) => unknown): AiRunner & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async run(model, inputs, options) {
      const call: Call = { model, inputs };
      if (options?.signal) call.signal = options.signal;
      calls.push(call);
      if (answer) return answer(call);
      if (model === '@cf/myshell-ai/melotts') return { audio: bytesToBase64(doubleMp3(String(inputs.prompt))) };
      const pcm = new Uint8Array(Math.round((Number(inputs.sample_rate ?? 24000) * 2 * String(inputs.text).length) / 20));
      const wav = encodeWav(pcm, { sampleRate: Number(inputs.sample_rate ?? 24000), channels: 1, bitsPerSample: 16 });
      return new Response(wav).body; // Aura answers with a stream
    },
  };
}

function provider(model: string, ai: AiRunner | undefined, extra: Record<string, unknown> = {}) {
  const cfg = loadProviderConfig({ PROVIDERS: { providers: { cf: { type: 'workers-ai', model, ...extra } } } }).providers.cf as WorkersAiConfig;
  return workersAiProvider(cfg, { env: ai ? { AI: ai } : {}, fetch: () => Promise.reject(new Error('no fetch here')) });
}

function request(text: string, voice: string, format: 'wav' | 'mp3'): SynthesisRequest {
  return { text, voice, format, signal: AbortSignal.timeout(5000) };
}

describe('workers-ai provider (fake AI binding with the documented shapes)', () => {
  it('MeloTTS: runs { prompt, lang } and decodes the base64 MP3 in `audio`', async () => {
    const ai = fakeAi();
    const p = provider('@cf/myshell-ai/melotts', ai);
    expect(p.format).toBe('mp3');
    expect(p.limits.formats).toEqual(['mp3']);
    const out = await p.synthesize(request('Bonjour.', 'fr', 'mp3'));
    expect(ai.calls).toHaveLength(1);
    expect(ai.calls[0]!.model).toBe('@cf/myshell-ai/melotts');
    expect(ai.calls[0]!.inputs).toEqual({ prompt: 'Bonjour.', lang: 'fr' });
    expect(ai.calls[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(out.mimeType).toBe('audio/mpeg');
    expect(out.audio).toEqual(doubleMp3('Bonjour.'));
    expect(mp3DurationMs(out.audio)).toBeGreaterThan(0);
  });

  it('Aura: asks for linear16 in a WAV container and reads the stream', async () => {
    const ai = fakeAi();
    const p = provider('@cf/deepgram/aura-1', ai, { sampleRate: 16000 });
    expect(p.format).toBe('wav');
    const out = await p.synthesize(request('Hello there.', 'asteria', 'wav'));
    expect(ai.calls[0]!.inputs).toEqual({ text: 'Hello there.', speaker: 'asteria', encoding: 'linear16', container: 'wav', sample_rate: 16000 });
    expect(out.mimeType).toBe('audio/wav');
    expect(parseWav(out.audio).format).toEqual({ sampleRate: 16000, channels: 1, bitsPerSample: 16 });
  });

  it('Aura as MP3: encoding mp3, no container; bytes, ArrayBuffer or Response outputs all read', async () => {
    const mp3 = doubleMp3('Hi.');
    for (const shape of [() => mp3, () => mp3.slice().buffer, () => new Response(mp3)]) {
      const ai = fakeAi(shape);
      const p = provider('@cf/deepgram/aura-2-en', ai, { format: 'mp3' });
      const out = await p.synthesize(request('Hi.', 'luna', 'mp3'));
      expect(ai.calls[0]!.inputs).toEqual({ text: 'Hi.', speaker: 'luna', encoding: 'mp3' });
      expect(out).toEqual({ audio: mp3, mimeType: 'audio/mpeg' });
    }
  });

  it('an answer without audio is a retryable synthesis failure', async () => {
    const p = provider('@cf/myshell-ai/melotts', fakeAi(() => ({})));
    expect(await providerFailure(p.synthesize(request('Hi.', 'en', 'mp3')))).toMatchObject({ code: 'synthesis_failed', retryable: true });
  });

  it('no AI binding: config_invalid, permanent', async () => {
    const p = provider('@cf/myshell-ai/melotts', undefined);
    expect(await providerFailure(p.synthesize(request('Hi.', 'en', 'mp3')))).toMatchObject({ code: 'config_invalid', retryable: false });
  });

  it('classifies binding errors: capacity and timeouts retry, bad input and a spent allocation do not', async () => {
    const cfg = { name: 'cf', model: '@cf/deepgram/aura-1' as const };
    expect(classifyAiError(cfg, new Error('AiError: 3040: Capacity temporarily exceeded, please try again.'))).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(classifyAiError(cfg, new Error('AiError: 5006: Error: required properties at \'/\' are \'text\''))).toMatchObject({ code: 'provider_rejected', retryable: false });
    expect(classifyAiError(cfg, new Error('AiError: 3036: Account limited: you have used up your daily free allocation of 10,000 neurons'))).toMatchObject({ code: 'rate_limited', retryable: false });
    expect(classifyAiError(cfg, new Error('InferenceUpstreamError: internal'))).toMatchObject({ code: 'backend_unavailable', retryable: true });
    expect(classifyAiError(cfg, new DOMException('timed out', 'TimeoutError'))).toMatchObject({ code: 'timeout', retryable: true });
    const p = provider('@cf/deepgram/aura-1', fakeAi(() => Promise.reject(new Error('AiError: 3040: Capacity temporarily exceeded'))));
    expect(await providerFailure(p.synthesize(request('Hi.', 'asteria', 'wav')))).toMatchObject({ code: 'rate_limited', retryable: true });
  });
});
