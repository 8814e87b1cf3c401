// When each sentence of a chunk is heard, for the player: the times of
// src/core/sentences.ts over the chunk's current length and word timings,
// cached per chunk until either changes.
import type { WordTiming } from '../core/api/types.ts';
import { sentenceAtTime, sentenceTimes, type SentenceSpan, type SentenceTime } from '../core/sentences.ts';
import type { SentenceMap } from './sentence-map.ts';

/** Chunks whose times are kept (the ones around the playhead are asked for every frame). */
const CACHED_CHUNKS = 64;

export class SentenceClock {
  private readonly cache = new Map<number, { durationMs: number; words: readonly WordTiming[] | undefined; spans: readonly SentenceSpan[]; times: SentenceTime[] }>();

  private readonly sentences: SentenceMap;
  private readonly durationMs: (index: number) => number | null;
  private readonly words: (index: number) => readonly WordTiming[] | undefined;

  constructor(sentences: SentenceMap, durationMs: (index: number) => number | null, words: (index: number) => readonly WordTiming[] | undefined) {
    this.sentences = sentences;
    this.durationMs = durationMs;
    this.words = words;
  }

  /** When each sentence of chunk `index` is heard, or null while its length or text is unknown. */
  times(index: number): SentenceTime[] | null {
    const d = this.durationMs(index);
    const spans = this.sentences.spans(index);
    if (d === null || spans.length === 0) return null;
    const words = this.words(index);
    const known = this.cache.get(index);
    if (known && known.durationMs === d && known.words === words && known.spans === spans) return known.times;
    const times = sentenceTimes(spans, this.sentences.textLength(index), d, words);
    this.cache.delete(index);
    this.cache.set(index, { durationMs: d, words, spans, times });
    if (this.cache.size > CACHED_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
    return times;
  }

  /** Milliseconds into chunk `index` where its sentence `sentence` starts; null while unknown. */
  startMs(index: number, sentence: number): number | null {
    if (sentence <= 0) return 0;
    const times = this.times(index);
    if (!times) return null;
    return times[Math.min(sentence, times.length - 1)]!.startMs;
  }

  /** The sentence of chunk `index` heard at `offsetMs` (0 while unknown). */
  at(index: number, offsetMs: number): number {
    const times = this.times(index);
    return times ? sentenceAtTime(times, offsetMs) : 0;
  }
}
