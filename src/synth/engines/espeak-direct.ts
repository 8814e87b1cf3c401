// In-process reference synthesis with eSpeak: the same engine code and the same
// voice resolution the worker uses, so tests anywhere can compare the service's
// PCM with it byte for byte.

import { EspeakEngine } from './espeak.ts';
import { VoiceCatalog } from '../voices.ts';
import type { WordTimingTuple } from '../types.ts';

let loaded: Promise<{ engine: EspeakEngine; catalog: VoiceCatalog }> | undefined;

export interface DirectSynthesis {
  /** s16le mono PCM. */
  pcm: Uint8Array;
  sampleRate: number;
  words: WordTimingTuple[];
}

/**
 * Synthesizes `text` with eSpeak in this process. `voice` is `espeak:en-us`, a
 * bare eSpeak language id (`en-us`) or an eSpeak alias; `speed` as in the HTTP
 * API (default 1).
 */
export async function synthesizeEspeakPcm(text: string, voice: string, speed = 1): Promise<DirectSynthesis> {
  loaded ??= EspeakEngine.load().then((engine) => ({ engine, catalog: new VoiceCatalog(engine.voices()) }));
  const { engine, catalog } = await loaded;
  const resolved = catalog.resolve(voice);
  if (!resolved || resolved.engine !== 'espeak') throw new TypeError(`not an eSpeak voice: ${voice}`);
  const out = engine.synthesizeSync(text, resolved.id, speed);
  return { pcm: out.pcm, sampleRate: out.sampleRate, words: out.words ?? [] };
}
