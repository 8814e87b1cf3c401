// /v1/audio/speech refuses what it could not stream before it creates (and
// charges) a job: an OpenAI voice name when the default provider is not
// OpenAI-compatible, and a voice whose chunks are MP3. Real stack; the provider
// is the local double of Google Cloud Text-to-Speech (its documented API; no
// machine here reaches Google).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/core/audio/wav.ts';
import { startStack, type Stack } from '../../scripts/stack/stack.ts';
import { DOUBLE_API_KEY, startGoogleTtsDouble, type GoogleTtsDoubleServer } from '../support/google-tts-double.ts';

const KEY = 'sekrit-openai-voices-1';
/** A little over half the key's daily characters: a second charge of it would not fit. */
const INPUT = 'Hello there, this is a test. '.repeat(21).trim();
const DAILY_CHARS = 1000;

describe('/v1/audio/speech validates the voice before creating a job', () => {
  let stack: Stack;
  let google: GoogleTtsDoubleServer;

  beforeAll(async () => {
    google = await startGoogleTtsDouble();
    const PROVIDERS = {
      default: 'gcloud',
      providers: {
        gcloud: { type: 'google', baseUrl: google.url },
        gmp3: { type: 'google', baseUrl: google.url, audioEncoding: 'MP3' },
      },
      voices: {
        'google:c': { provider: 'gcloud', voice: 'en-US-Neural2-C' },
        'google:mp3': { provider: 'gmp3', voice: 'en-US-Neural2-C' },
      },
    };
    stack = await startStack({
      backendVars: { PROVIDERS: JSON.stringify(PROVIDERS), GOOGLE_TTS_API_KEY: DOUBLE_API_KEY },
      orchestratorVars: { LECTOR_API_KEYS: `tester=${KEY}`, KEY_MAX_CHARS_PER_DAY: String(DAILY_CHARS) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await google?.close();
  });

  const speech = (voice: string, format = 'wav') =>
    fetch(`${stack.edgeUrl}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'lector', voice, input: INPUT, response_format: format }),
    });

  async function openAiError(res: Response): Promise<{ code: string; message: string; type: string }> {
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    return ((await res.json()) as { error: { code: string; message: string; type: string } }).error;
  }

  it('refuses an OpenAI voice name the non-OpenAI default provider cannot take, and a format the voice cannot make, without charging', async () => {
    expect(INPUT.length * 2).toBeGreaterThan(DAILY_CHARS);
    expect(INPUT.length).toBeLessThan(DAILY_CHARS);

    const alloy = await speech('alloy');
    expect(alloy.status).toBe(400);
    expect(await openAiError(alloy)).toMatchObject({ code: 'unknown_voice', type: 'invalid_request_error' });

    // Google makes WAV and MP3 chunks, not Ogg Opus: refused before any job exists.
    const opus = await speech('google:mp3', 'opus');
    expect(opus.status).toBe(400);
    const e = await openAiError(opus);
    expect(e.code).toBe('unsupported_format');
    expect(e.message).toMatch(/opus/);
    // Nothing was sent to the provider for the refused requests.
    expect(google.requests.length).toBe(0);

    // Neither refusal was charged: the whole input still fits the key's day once.
    const ok = await speech('google:c');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('audio/wav');
    const bytes = new Uint8Array(await ok.arrayBuffer());
    expect(parseWav(bytes.slice(0, 44)).format).toEqual({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
    expect(bytes.byteLength).toBeGreaterThan(44);
    expect(google.requests.length).toBeGreaterThan(0);
    // And it was charged: the same input again does not fit.
    expect((await speech('google:c')).status).toBe(429);
  });
});
