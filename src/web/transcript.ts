// The job's text as one span per chunk, grouped in paragraphs: shows which
// chunks are synthesized, highlights the sentence (and word) being heard, and
// lets a click or Enter on a sentence jump playback to it.
import type { ChunkStatus, WordTiming } from '../core/api/types.ts';

export interface TranscriptChunk {
  index: number;
  text: string;
  paragraphStart: boolean;
  status: ChunkStatus;
}

export class TranscriptView {
  private readonly root: HTMLElement;
  private spans: HTMLSpanElement[] = [];
  private readonly words = new Map<number, HTMLSpanElement[]>();
  private current = -1;
  private currentWord: HTMLSpanElement | undefined;

  constructor(root: HTMLElement, onJump: (index: number) => void) {
    this.root = root;
    const target = (e: Event): number | null => {
      const span = (e.target as Element | null)?.closest<HTMLElement>('.chunk');
      return span && this.root.contains(span) ? Number(span.dataset.index) : null;
    };
    root.addEventListener('click', (e) => {
      const index = target(e);
      if (index !== null) onJump(index);
    });
    root.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      const index = target(e);
      if (index === null) return;
      e.preventDefault();
      onJump(index);
    });
  }

  get highlighted(): number {
    return this.current;
  }

  render(chunks: readonly TranscriptChunk[]): void {
    const frag = document.createDocumentFragment();
    let para: HTMLParagraphElement | undefined;
    this.spans = [];
    this.words.clear();
    this.current = -1;
    this.currentWord = undefined;
    for (const c of chunks) {
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
      span.tabIndex = -1;
      span.textContent = c.text;
      para.append(span);
      this.spans[c.index] = span;
    }
    this.root.replaceChildren(frag);
    this.spans[0]?.setAttribute('tabindex', '0');
  }

  setStatus(index: number, status: ChunkStatus): void {
    const span = this.spans[index];
    if (span) span.dataset.status = status;
  }

  /** Splits a chunk's text into word spans, from the word timings' character offsets. */
  setWords(index: number, words: readonly WordTiming[]): void {
    const span = this.spans[index];
    if (!span || this.words.has(index)) return;
    const text = span.textContent ?? '';
    const parts: (string | HTMLSpanElement)[] = [];
    const wordSpans: HTMLSpanElement[] = [];
    let pos = 0;
    for (const w of words) {
      // Trust the offset when it matches; otherwise look for the word ahead.
      const at = text.startsWith(w.text, w.offset) && w.offset >= pos ? w.offset : text.indexOf(w.text, pos);
      const el = document.createElement('span');
      el.className = 'word';
      if (at < 0 || w.text === '') {
        wordSpans.push(el); // keeps indexes aligned with the timings; never shown
        continue;
      }
      if (at > pos) parts.push(text.slice(pos, at));
      el.textContent = w.text;
      parts.push(el);
      wordSpans.push(el);
      pos = at + w.text.length;
    }
    if (pos < text.length) parts.push(text.slice(pos));
    span.replaceChildren(...parts);
    this.words.set(index, wordSpans);
  }

  /** Marks chunk `index` (and its word `wordIndex`, -1 for none) as being heard. */
  highlight(index: number, wordIndex: number): void {
    if (index !== this.current) {
      const old = this.spans[this.current];
      if (old) {
        old.classList.remove('current');
        old.removeAttribute('aria-current');
        old.tabIndex = -1;
      }
      const span = this.spans[index];
      if (span) {
        span.classList.add('current');
        span.setAttribute('aria-current', 'true');
        span.tabIndex = 0; // roving tabindex: Tab lands on the sentence being read
        if (!this.root.contains(document.activeElement) || document.activeElement === old) this.reveal(span);
        if (document.activeElement === old) span.focus({ preventScroll: true });
      }
      this.current = index;
      this.root.dataset.highlighted = String(index);
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

  clear(): void {
    this.spans = [];
    this.words.clear();
    this.current = -1;
    this.currentWord = undefined;
    this.root.replaceChildren();
    delete this.root.dataset.highlighted;
  }
}
