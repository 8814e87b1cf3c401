// Synthesis providers through the whole stack (issue 7): the backend Worker
// under `wrangler dev` with a PROVIDERS configuration of two providers — the
// real synthesis service (openai-compatible, the default) and `google` pointed
// at a local double of Cloud Text-to-Speech. The double follows Google's
// documented request and response shapes; it is not Google (no machine here
// reaches Google). Routing is per voice, so a job has one provider: two jobs
// run at once, one per provider, and the voice catalog merges both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkEventData, CreateJobResponse, JobState, VoiceInfo } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';
import { startStack, type Stack } from '../../scripts/stack/stack.ts';
import { DOUBLE_API_KEY, doublePcm, startGoogleTtsDouble, type GoogleTtsDoubleServer } from '../support/google-tts-double.ts';
import { readSse } from '../support/sse-client.ts';
import { streamChunks } from '../support/tts-stream.ts';

const GOOGLE_VOICE = 'google:en-US-Neural2-C';
const SENTENCES = ['Hello there.', 'This is Lector speaking.', 'Goodbye for now.'];

describe('providers: per-voice routing through the whole stack', () => {
  let stack: Stack;
  let google: GoogleTtsDoubleServer;

  beforeAll(async () => {
    google = await startGoogleTtsDouble();
    const PROVIDERS = {
      default: 'local',
      providers: {
        local: { type: 'openai-compatible' }, // baseUrl: SYNTH_URL, the stack's synthesis service
        gcloud: { type: 'google', baseUrl: google.url, maxChars: 40, maxConcurrency: 1 },
      },
      voices: { [GOOGLE_VOICE]: { provider: 'gcloud', voice: 'en-US-Neural2-C', name: 'Neural2 C (double)' } },
    };
    // The key is a secret in a deployment (wrangler secret put); a var is enough for a local run.
    stack = await startStack({ backendVars: { PROVIDERS: JSON.stringify(PROVIDERS), GOOGLE_TTS_API_KEY: DOUBLE_API_KEY } });
  });
  afterAll(async () => {
    await stack?.stop();
    await google?.close();
  });

  const stream = (voiceId: string): Promise<ChunkEventData[]> => streamChunks(stack.edgeUrl, { text: SENTENCES.join(' '), voiceId });

  async function audio(url: string): Promise<{ type: string | null; bytes: Uint8Array }> {
    const res = await fetch(`${stack.edgeUrl}${url}`);
    expect(res.status).toBe(200);
    return { type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) };
  }

  it('GET /api/voices merges both providers’ voices, each with its provider', async () => {
    const res = await fetch(`${stack.edgeUrl}/api/voices`);
    expect(res.status).toBe(200);
    const { voices } = (await res.json()) as { voices: VoiceInfo[] };
    expect(voices.find((v) => v.id === GOOGLE_VOICE)).toMatchObject({ provider: 'gcloud', language: 'en-US', name: 'Neural2 C (double)' });
    expect(voices.find((v) => v.id === 'espeak:en-us')).toMatchObject({ provider: 'local' });
    expect(new Set(voices.map((v) => v.provider))).toEqual(new Set(['gcloud', 'local']));
  });

  it('two jobs at once, one per provider: each chunk comes from its voice’s provider', async () => {
    const before = google.requests.length;
    const [local, goog] = await Promise.all([stream('espeak:en-us'), stream(GOOGLE_VOICE)]);
    expect(local.map((c) => c.text)).toEqual(SENTENCES);
    expect(goog.map((c) => c.text)).toEqual(SENTENCES);

    // The Google job's chunks are the double's audio, byte for byte, stored as canonical WAV.
    for (const c of goog) {
      expect(c.mimeType).toBe('audio/wav');
      const { type, bytes } = await audio(c.url);
      expect(type).toBe('audio/wav');
      const wav = parseWav(bytes);
      expect(wav.format).toEqual({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
      expect(Buffer.from(wav.pcm).equals(Buffer.from(doublePcm(c.text, 'en-US-Neural2-C', 24000)))).toBe(true);
    }
    // The local job's chunks are eSpeak NG's, byte for byte: none went to the double.
    for (const c of local) {
      const wav = parseWav((await audio(c.url)).bytes);
      const direct = await synthesizeEspeakPcm(c.text, 'en-us');
      expect(Buffer.from(wav.pcm).equals(Buffer.from(direct.pcm))).toBe(true);
    }
    const seen = google.requests.slice(before).map((r) => (r.body as { input: { text: string }; voice: { name: string } }));
    expect(seen.map((b) => b.input.text).sort()).toEqual([...SENTENCES].sort());
    expect(seen.every((b) => b.voice.name === 'en-US-Neural2-C')).toBe(true);
    expect(google.requests.slice(before).every((r) => r.key === DOUBLE_API_KEY)).toBe(true);

    // A PCM provider's job stitches into one WAV like any other.
    const jobId = goog[0]!.url.split('/')[3]!;
    const full = await audio(`/api/tts/${jobId}/audio`);
    expect(full.type).toBe('audio/wav');
    expect(parseWav(full.bytes).format.sampleRate).toBe(24000);
  });

  it('the splitter keeps the google job’s chunks within the provider’s maxChars (voiceLimits)', async () => {
    const text = 'The first sentence is here. A second one follows it. And a third, which is really quite a lot longer than forty characters in all. The end.';
    const res = await fetch(`${stack.edgeUrl}/api/tts-stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, voiceId: GOOGLE_VOICE }) });
    const chunks = (await readSse(res)).filter((e) => e.event === 'message').map((m) => JSON.parse(m.data) as ChunkEventData);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect([...c.text].length).toBeLessThanOrEqual(40);
    // The same text in a local voice (4,096) is cut only by the splitter's own limits.
    const local = await fetch(`${stack.edgeUrl}/api/tts-stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, voiceId: 'espeak:en-us' }) });
    expect((await readSse(local)).filter((e) => e.event === 'message').length).toBe(4);
  });

  it('a Google 403 fails the job at once with a clear reason (permanent: one attempt)', async () => {
    // One fault: a retry would get audio and complete the job, failing this test.
    google.failNext({ code: 403, status: 'PERMISSION_DENIED', message: 'Cloud Text-to-Speech API has not been used in project 123 before or it is disabled.' });
    const res = await fetch(`${stack.edgeUrl}/api/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Access denied, please.', voiceId: GOOGLE_VOICE }),
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as CreateJobResponse;
    let state: JobState | undefined;
    for (let i = 0; i < 200; i++) {
      state = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}?include=chunks`)).json()) as JobState;
      if (state.status === 'failed' || state.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state?.status).toBe('failed');
    const chunk = state!.chunks![0]!;
    expect(chunk.attempts).toBe(1);
    expect(chunk.lastError).toMatch(/provider_auth: Google TTS refused access \(403 PERMISSION_DENIED\)/);
  });
});
