// The job's text, grouped in paragraphs, one span per chunk (which shows
// whether the chunk is synthesized) holding one span per sentence: highlights
// the sentence (and word) being heard, and lets a click or Enter on a sentence
// jump playback to it.
import type { ChunkStatus, WordTiming } from '../core/api/types.ts';
import type { SentenceSpan } from '../core/sentences.ts';
import type { SentenceMap } from './sentence-map.ts';

export interface TranscriptChunk {
  index: number;
  text: string;
  paragraphStart: boolean;
  status: ChunkStatus;
}

export class TranscriptView {
  private readonly root: HTMLElement;
  private chunkSpans: HTMLSpanElement[] = [];
  /** Per chunk, its sentence spans in order. */
  private sentenceSpans: HTMLSpanElement[][] = [];
  private readonly words = new Map<number, HTMLSpanElement[]>();
  private sentences: SentenceMap | undefined;
  private current: HTMLSpanElement | undefined;
  private currentChunk = -1;
  private currentWord: HTMLSpanElement | undefined;

  constructor(root: HTMLElement, onJump: (index: number, sentence: number) => void) {
    this.root = root;
    const target = (e: Event): [number, number] | null => {
      const el = (e.target as Element | null)?.closest<HTMLElement>('.sentence');
      return el && this.root.contains(el) ? [Number(el.dataset.index), Number(el.dataset.sentence)] : null;
    };
    root.addEventListener('click', (e) => {
      const at = target(e);
      if (at) onJump(...at);
    });
    root.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      const at = target(e);
      if (!at) return;
      e.preventDefault();
      onJump(...at);
    });
  }

  /** The chunk holding the highlighted sentence, or -1. */
  get highlighted(): number {
    return this.currentChunk;
  }

  render(chunks: readonly TranscriptChunk[], sentences: SentenceMap): void {
    const frag = document.createDocumentFragment();
    let para: HTMLParagraphElement | undefined;
    this.clearState();
    this.sentences = sentences;
    for (const c of chunks) {
      sentences.set(c.index, c.text);
      if (!para || c.paragraphStart) {
        para = document.createElement('p');
        frag.append(para);
      } else {
        para.append(' ');
      }
      const span = document.createElement('span');
      span.className = 'chunk';
      span.id = `chunk-${c.index}`;
      span.dataset.index = String(c.index);
      span.dataset.status = c.status;
      this.chunkSpans[c.index] = span;
      this.fillSentences(c.index, c.text, sentences.spans(c.index));
      para.append(span);
    }
    this.root.replaceChildren(frag);
    this.sentenceSpans[chunks[0]?.index ?? -1]?.[0]?.setAttribute('tabindex', '0');
  }

  /** The chunk's sentences as spans (`#sentence-<chunk>-<k>`), the whitespace between them as text. */
  private fillSentences(index: number, text: string, spans: readonly SentenceSpan[]): void {
    const chunk = this.chunkSpans[index]!;
    const list: HTMLSpanElement[] = [];
    const parts: (string | HTMLElement)[] = [];
    // A blank chunk still gets one (empty) sentence, so it can be highlighted and jumped to.
    const ranges = spans.length > 0 ? spans : [{ start: 0, end: text.length, paragraphStart: true }];
    let pos = 0;
    ranges.forEach((r, k) => {
      if (r.start > pos) parts.push(text.slice(pos, r.start));
      if (k > 0 && r.paragraphStart) {
        const gap = document.createElement('span');
        gap.className = 'paragraph-break';
        parts.push(gap);
      }
      const el = document.createElement('span');
      el.className = 'sentence';
      el.id = `sentence-${index}-${k}`;
      el.dataset.index = String(index);
      el.dataset.sentence = String(k);
      el.tabIndex = -1;
      el.textContent = text.slice(r.start, r.end);
      parts.push(el);
      list.push(el);
      pos = r.end;
    });
    if (pos < text.length) parts.push(text.slice(pos));
    chunk.replaceChildren(...parts);
    this.sentenceSpans[index] = list;
  }

  setStatus(index: number, status: ChunkStatus): void {
    const span = this.chunkSpans[index];
    if (span) span.dataset.status = status;
  }

  /** A chunk's text changed (a redone passage): its sentences again. */
  setText(index: number, text: string): void {
    if (!this.chunkSpans[index] || !this.sentences || this.sentences.text(index) === text) return;
    this.sentences.set(index, text);
    this.words.delete(index);
    this.fillSentences(index, text, this.sentences.spans(index));
  }

  /** Splits each sentence of a chunk into word spans, from the word timings' character offsets. */
  setWords(index: number, words: readonly WordTiming[]): void {
    const sentenceEls = this.sentenceSpans[index];
    const chunk = this.chunkSpans[index];
    if (!sentenceEls || !chunk || this.words.has(index) || !this.sentences) return;
    const spans = this.sentences.spans(index);
    const wordSpans: HTMLSpanElement[] = new Array(words.length);
    sentenceEls.forEach((el, k) => {
      const base = spans[k]?.start ?? 0;
      const text = el.textContent ?? '';
      const parts: (string | HTMLSpanElement)[] = [];
      let pos = 0;
      words.forEach((w, i) => {
        // Trust the offset when it matches; otherwise look for the word ahead.
        const rel = w.offset - base;
        if (rel < 0 || rel >= text.length) return;
        const at = text.startsWith(w.text, rel) && rel >= pos ? rel : text.indexOf(w.text, pos);
        if (at < 0 || w.text === '') return;
        const span = document.createElement('span');
        span.className = 'word';
        if (at > pos) parts.push(text.slice(pos, at));
        span.textContent = w.text;
        parts.push(span);
        wordSpans[i] = span;
        pos = at + w.text.length;
      });
      if (pos < text.length) parts.push(text.slice(pos));
      el.replaceChildren(...parts);
    });
    this.words.set(index, wordSpans);
  }

  /** Marks sentence `sentence` of chunk `index` (and the chunk's word `wordIndex`, -1 for none) as being heard. */
  highlight(index: number, sentence: number, wordIndex: number): void {
    const span = this.sentenceSpans[index]?.[Math.min(sentence, (this.sentenceSpans[index]?.length ?? 1) - 1)];
    if (span !== this.current) {
      const old = this.current;
      if (old) {
        old.classList.remove('current');
        old.removeAttribute('aria-current');
      }
      // One tab stop: the first sentence's until something is highlighted, then the current one's.
      if (span) for (const el of this.root.querySelectorAll<HTMLElement>('.sentence[tabindex="0"]')) if (el !== span) el.tabIndex = -1;
      if (index !== this.currentChunk) {
        this.chunkSpans[this.currentChunk]?.classList.remove('current');
        this.chunkSpans[index]?.classList.add('current');
      }
      if (span) {
        span.classList.add('current');
        span.setAttribute('aria-current', 'true');
        span.tabIndex = 0; // roving tabindex: Tab lands on the sentence being read
        if (!this.root.contains(document.activeElement) || document.activeElement === old) this.reveal(span);
        if (old && document.activeElement === old) span.focus({ preventScroll: true });
      }
      this.current = span;
      this.currentChunk = index;
      this.root.dataset.highlighted = String(index);
      this.root.dataset.highlightedSentence = span?.dataset.sentence ?? '-1';
    }
    const word = wordIndex >= 0 ? this.words.get(index)?.[wordIndex] : undefined;
    if (word !== this.currentWord) {
      this.currentWord?.classList.remove('current');
      word?.classList.add('current');
      this.currentWord = word;
    }
  }

  /** Scrolls the transcript box (never the page: the reader may be typing above) to show `span`. */
  private reveal(span: HTMLElement): void {
    const box = this.root.getBoundingClientRect();
    const r = span.getBoundingClientRect();
    if (r.top >= box.top && r.bottom <= box.bottom) return;
    const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.root.scrollTo({ top: this.root.scrollTop + (r.top - box.top) - this.root.clientHeight / 3, behavior: smooth ? 'smooth' : 'auto' });
  }

  private clearState(): void {
    this.chunkSpans = [];
    this.sentenceSpans = [];
    this.words.clear();
    this.current = undefined;
    this.currentChunk = -1;
    this.currentWord = undefined;
  }

  clear(): void {
    this.clearState();
    this.sentences = undefined;
    this.root.replaceChildren();
    delete this.root.dataset.highlighted;
    delete this.root.dataset.highlightedSentence;
  }
}
