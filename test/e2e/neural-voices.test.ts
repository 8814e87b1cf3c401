// Neural voice servers through the whole stack (issue 13, part 5): the backend
// Worker under `wrangler dev` with three openai-compatible providers — the real
// synthesis service (default), Kokoro-FastAPI and a Piper HTTP server. The two
// neural servers are local doubles written from their source and docs
// (test/support/kokoro-double.ts, piper-double.ts): the real servers need model
// files this machine cannot fetch, so these tests prove Lector speaks their
// protocol, not that their models sound right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkEventData, VoiceInfo } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { neuralPcm } from '../../src/edge/backend/providers/testing/neuralPcm.ts';
import { startStack, type Stack } from '../../scripts/stack/stack.ts';
import { KOKORO_SAMPLE_RATE, startKokoroDouble, type KokoroDoubleServer } from '../support/kokoro-double.ts';
import { startPiperDouble, type PiperDoubleServer } from '../support/piper-double.ts';
import { streamChunks } from '../support/tts-stream.ts';

const SENTENCES = ['Hello there.', 'This is Lector speaking.', 'Goodbye for now.'];

describe('neural voice servers through the whole stack (doubles)', () => {
  let stack: Stack;
  let kokoro: KokoroDoubleServer;
  let piper: PiperDoubleServer;

  beforeAll(async () => {
    kokoro = await startKokoroDouble();
    piper = await startPiperDouble();
    const PROVIDERS = {
      default: 'local',
      providers: {
        local: { type: 'openai-compatible' },
        kokoro: { type: 'openai-compatible', server: 'kokoro', baseUrl: kokoro.url },
        piper: { type: 'openai-compatible', server: 'piper', baseUrl: piper.url },
      },
    };
    stack = await startStack({ backendVars: { PROVIDERS: JSON.stringify(PROVIDERS) } });
  });
  afterAll(async () => {
    await stack?.stop();
    await kokoro?.close();
    await piper?.close();
  });

  async function stream(voiceId: string): Promise<{ jobId: string; chunks: ChunkEventData[] }> {
    const chunks = await streamChunks(stack.edgeUrl, { text: SENTENCES.join(' '), voiceId });
    return { jobId: chunks[0]!.url.split('/')[3]!, chunks };
  }

  async function pcmOf(url: string): Promise<{ sampleRate: number; pcm: Uint8Array }> {
    const res = await fetch(`${stack.edgeUrl}${url}`);
    expect(res.status).toBe(200);
    const wav = parseWav(new Uint8Array(await res.arrayBuffer()));
    return { sampleRate: wav.format.sampleRate, pcm: wav.pcm };
  }

  it('GET /api/voices lists Kokoro and Piper voices as <provider>:<voice> beside the local ones', async () => {
    const { voices } = (await (await fetch(`${stack.edgeUrl}/api/voices`)).json()) as { voices: VoiceInfo[] };
    expect(voices.find((v) => v.id === 'kokoro:af_bella')).toMatchObject({ provider: 'kokoro', engine: 'kokoro', language: 'en-US' });
    expect(voices.find((v) => v.id === 'piper:en_US-libritts_r-medium@p8699')).toMatchObject({ provider: 'piper', engine: 'piper' });
    expect(voices.find((v) => v.id === 'espeak:en-us')).toMatchObject({ provider: 'local' });
  });

  it('a Kokoro blend job: audio from the captioned endpoint, word captions from its timestamps', async () => {
    const before = kokoro.requests.length;
    const { jobId, chunks } = await stream('kokoro:af_bella+af_sky');
    expect(chunks.map((c) => c.text)).toEqual(SENTENCES);
    for (const c of chunks) {
      const { sampleRate, pcm } = await pcmOf(c.url);
      expect(sampleRate).toBe(KOKORO_SAMPLE_RATE);
      expect(Buffer.from(pcm).equals(Buffer.from(neuralPcm(c.text, 'af_bella+af_sky', KOKORO_SAMPLE_RATE)))).toBe(true);
    }
    const seen = kokoro.requests.slice(before);
    expect(seen.map((r) => r.path)).toEqual(SENTENCES.map(() => '/dev/captioned_speech'));
    expect(seen.every((r) => r.body?.voice === 'af_bella+af_sky' && r.body?.stream === false)).toBe(true);
    const vtt = await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/captions.vtt?level=word`)).text();
    for (const word of ['Hello', 'Lector', 'speaking', 'Goodbye']) expect(vtt).toMatch(new RegExp(`--> [\\d:.]+\\n${word}\\n`));
  });

  it('a Piper job with a named speaker', async () => {
    const before = piper.requests.length;
    const { chunks } = await stream('piper:en_US-libritts_r-medium@p8699');
    for (const c of chunks) {
      const { sampleRate, pcm } = await pcmOf(c.url);
      expect(sampleRate).toBe(22050);
      expect(Buffer.from(pcm).equals(Buffer.from(neuralPcm(c.text, 'en_US-libritts_r-medium@p8699', 22050)))).toBe(true);
    }
    const bodies = piper.requests.slice(before).map((r) => r.body);
    expect(bodies.map((b) => b?.text).sort()).toEqual([...SENTENCES].sort());
    expect(bodies.every((b) => b?.voice === 'en_US-libritts_r-medium' && b?.speaker === 'p8699')).toBe(true);
  });

  it('refuses a blend with a voice Kokoro does not list', async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hi.', voiceId: 'kokoro:af_bella+af_nobody' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unknown_voice');
  });
});
