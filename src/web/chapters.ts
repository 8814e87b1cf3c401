// Chapters of a job, when its state has them (`chapters: [{ index, title,
// firstChunk, chunkCount, durationMs }]`): a list to jump from, the chapter
// being heard, and previous/next chapter for the lock screen and headsets.
import type { JobChapter } from '../core/api/types.ts';
import { setData } from './dom.ts';

export type Chapter = JobChapter;

/** The chapters in a job state, if the server sent any that make sense. */
export function chaptersOf(state: object): Chapter[] {
  const list = (state as { chapters?: unknown }).chapters;
  if (!Array.isArray(list)) return [];
  return (list as Chapter[])
    .filter((c) => Number.isInteger(c?.firstChunk) && Number.isInteger(c?.chunkCount) && c.chunkCount > 0)
    .sort((a, b) => a.firstChunk - b.firstChunk);
}

/** The chapter holding chunk `index`, or -1. */
export function chapterAt(chapters: readonly Chapter[], index: number): number {
  for (let i = chapters.length - 1; i >= 0; i--) if (chapters[i]!.firstChunk <= index) return index < chapters[i]!.firstChunk + chapters[i]!.chunkCount ? i : -1;
  return -1;
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export class ChaptersView {
  private readonly root: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly onJump: (chunk: number) => void;
  private chapters: Chapter[] = [];
  private current = -2;

  constructor(root: HTMLElement, onJump: (chunk: number) => void) {
    this.root = root;
    this.onJump = onJump;
    this.list = root.querySelector('ol')!;
  }

  get all(): readonly Chapter[] {
    return this.chapters;
  }

  /** Shows `chapters`; with `download`, each gets a link to its own audio file (`label` names the format). */
  render(chapters: Chapter[], download?: { url: (c: Chapter) => string; label: string }): void {
    this.chapters = chapters;
    this.current = -2;
    this.root.hidden = chapters.length === 0;
    this.list.replaceChildren(
      ...chapters.map((c, i) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'chapter';
        b.dataset.chapter = String(i);
        b.textContent = c.title || `Chapter ${i + 1}`;
        if (c.durationMs !== null) {
          const d = document.createElement('span');
          d.className = 'duration';
          d.textContent = clock(c.durationMs);
          b.append(' ', d);
        }
        b.addEventListener('click', () => this.onJump(c.firstChunk));
        li.append(b);
        if (download) {
          const a = document.createElement('a');
          a.className = 'chapter-download';
          a.href = download.url(c);
          a.download = '';
          a.textContent = download.label;
          a.setAttribute('aria-label', `Download ${b.firstChild?.textContent ?? 'the chapter'} (${download.label})`);
          li.append(' ', a);
        }
        return li;
      }),
    );
  }

  /** Marks the chapter holding chunk `index`. */
  highlight(index: number): void {
    const at = chapterAt(this.chapters, index);
    if (at === this.current) return;
    this.current = at;
    setData(this.root, 'current', at);
    for (const b of this.list.querySelectorAll<HTMLButtonElement>('button.chapter')) {
      if (b.dataset.chapter === String(at)) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
  }
}

export { clock as formatClock };
