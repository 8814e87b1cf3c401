// The sentences of each chunk of the open job (spans of its shown text, from
// src/core/sentences.ts), shared by the transcript, the player and the
// Previous/Next steps, so all three count sentences the same way.
import { chunkSentences, type SentenceSpan } from '../core/sentences.ts';

/** A place at the start of a sentence: chunk `index`, its sentence `sentence`. */
export interface SentencePlace {
  index: number;
  sentence: number;
}

export class SentenceMap {
  private readonly chunks = new Map<number, { text: string; spans: SentenceSpan[] }>();

  /** Records chunk `index`'s text (again after a redo: the spans follow the new text). */
  set(index: number, text: string): void {
    if (this.chunks.get(index)?.text === text) return;
    this.chunks.set(index, { text, spans: chunkSentences(text) });
  }

  /** The chunk's text as last recorded, or undefined. */
  text(index: number): string | undefined {
    return this.chunks.get(index)?.text;
  }

  /** The chunk's sentence spans; empty while its text is unknown (or blank). */
  spans(index: number): readonly SentenceSpan[] {
    return this.chunks.get(index)?.spans ?? [];
  }

  textLength(index: number): number {
    return this.chunks.get(index)?.text.length ?? 0;
  }

  /** Sentences in chunk `index`: at least one (an unknown chunk counts as one). */
  count(index: number): number {
    return Math.max(1, this.spans(index).length);
  }

  /** The sentence `delta` (±1) sentences from `here`, within chunks `[0, total)`; null past either end. */
  step(here: SentencePlace, delta: 1 | -1, total: number): SentencePlace | null {
    const sentence = here.sentence + delta;
    if (sentence >= 0 && sentence < this.count(here.index)) return { index: here.index, sentence };
    const index = here.index + delta;
    if (index < 0 || index >= total) return null;
    return { index, sentence: delta > 0 ? 0 : this.count(index) - 1 };
  }

  clear(): void {
    this.chunks.clear();
  }
}
