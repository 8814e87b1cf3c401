// eSpeak with its data files read on demand against the package preloaded whole,
// as the emscripten build does by itself: same voices, same samples.
import { createHash } from 'node:crypto';
import init, { type ESpeakNGWorker } from '@echogarden/espeak-ng-emscripten';
import { describe, expect, it } from 'vitest';
import { lazyEspeakData } from './espeak-data.ts';

function pcmHash(worker: ESpeakNGWorker, voice: string, text: string): string {
  expect(worker.set_voice(voice)).toBe(0);
  const hash = createHash('sha256');
  let samples = 0;
  worker.synthesize(text, (pcm) => {
    samples += pcm.length;
    hash.update(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    return 0;
  });
  expect(samples).toBeGreaterThan(1000);
  return hash.digest('hex');
}

const CASES: [voice: string, text: string][] = [
  ['gmw/en-US', 'It is a truth universally acknowledged, that a single man in possession of a good fortune must be in want of a wife. Café, naïve, façade: 1,234 words.'],
  ['gmw/en', 'Mr. Bennet replied that he had not, on the 3rd of June, 1813.'],
  ['roa/fr', "C'est une vérité universellement reconnue."],
  ['gmw/de', 'Es ist eine allgemein anerkannte Wahrheit.'],
  ['zle/ru', 'Все счастливые семьи похожи друг на друга.'],
  ['sit/cmn', '这是一个普遍承认的真理。'],
];

describe('lazyEspeakData', () => {
  it('gives the voices and samples of the whole preloaded package, reading only what eSpeak opens', async () => {
    const data = lazyEspeakData();
    const lazy = new (await init(data.moduleOptions)).eSpeakNGWorker();
    const eager = new (await init()).eSpeakNGWorker();
    expect(lazy.list_voices()).toEqual(eager.list_voices());

    // eSpeak keeps state between calls: both take the same calls in the same order.
    expect(pcmHash(lazy, 'gmw/en-US', 'Hello there.')).toBe(pcmHash(eager, 'gmw/en-US', 'Hello there.'));
    const english = data.loadedBytes();
    // The package is 24 MB; English needs its phoneme tables, the voice files and en_dict.
    expect(english).toBeLessThan(2_000_000);
    expect(data.loadedFiles()).not.toContain('/usr/share/espeak-ng-data/fr_dict');

    for (const [voice, text] of CASES) expect(pcmHash(lazy, voice, text), voice).toBe(pcmHash(eager, voice, text));
    expect(data.loadedFiles()).toContain('/usr/share/espeak-ng-data/fr_dict');
    expect(data.loadedBytes()).toBeGreaterThan(english);
  });
});
