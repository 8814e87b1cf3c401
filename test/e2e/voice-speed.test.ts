// Speed through the real synthesis service (issue 13, part 1): its engine
// worker processes load Sonic, and eSpeak at 0.25 / 2 / 4 gives the same bytes
// as the engine in this process, with word timings in order that end inside
// the audio. Speed 1.0 is unchanged.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/core/audio/wav.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';
import { fetchIdempotent } from '../support/http.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

const TEXT = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';

describe('speed on the synthesis service', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack();
  });

  async function speech(speed: number): Promise<{ pcm: Uint8Array; sampleRate: number; words: [number, number, number, number][] }> {
    const res = await fetchIdempotent(`${stack.synthUrl}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: TEXT, voice: 'espeak:en-us', response_format: 'wav', speed }),
    });
    expect(res.status).toBe(200);
    const wav = parseWav(new Uint8Array(await res.arrayBuffer()));
    return { pcm: wav.pcm, sampleRate: wav.format.sampleRate, words: JSON.parse(res.headers.get('x-lector-words') ?? '[]') };
  }

  it.each([1, 0.25, 2, 4])('speed %f: the engine’s bytes, words in order', async (speed) => {
    const got = await speech(speed);
    const direct = await synthesizeEspeakPcm(TEXT, 'en-us', speed);
    expect(Buffer.from(got.pcm).equals(Buffer.from(direct.pcm))).toBe(true);
    expect(got.words.map(([o, l]) => TEXT.slice(o, o + l))).toEqual(direct.words.map(([o, l]) => TEXT.slice(o, o + l)));
    const totalMs = (got.pcm.byteLength / 2 / got.sampleRate) * 1000;
    const starts = got.words.map((w) => w[2]);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(got.words.at(-1)![3]).toBeLessThanOrEqual(Math.round(totalMs));
  });

  it('duration scales with speed: about half at 2.0, a quarter at 4.0, four times at 0.25', async () => {
    const normal = (await speech(1)).pcm.byteLength;
    expect((await speech(2)).pcm.byteLength / normal).toBeGreaterThan(0.4);
    expect((await speech(2)).pcm.byteLength / normal).toBeLessThan(0.6);
    expect((await speech(4)).pcm.byteLength / normal).toBeLessThan(0.32);
    expect((await speech(0.25)).pcm.byteLength / normal).toBeGreaterThan(3.4);
  });
});
