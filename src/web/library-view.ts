// The shelf: the caller's jobs (GET /api/tts), newest first, each with its
// title, status, progress, length, dates and saved place, and buttons to open,
// resume, download and delete. Refreshed after changes, and every few seconds
// while a listed job is still being synthesized and the page is visible.
import type { LibraryItem, LibraryList } from '../core/api/library.ts';
import { ApiError, deleteJob, fetchLibrary, jobUrls } from './api.ts';
import { formatClock } from './chapters.ts';
import { setData } from './dom.ts';

const REFRESH_MS = 5000;

export interface LibraryActions {
  /** Open a job at its saved place; `play` starts playback. */
  open(jobId: string, play: boolean): void;
  /** A job was deleted (the page closes it if it is open). */
  deleted(jobId: string): void;
  notice(text: string): void;
}

function when(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

function button(label: string, cls: string, onClick: () => void, aria?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = label;
  if (aria) b.setAttribute('aria-label', aria);
  b.addEventListener('click', onClick);
  return b;
}

export class LibraryView {
  private readonly root: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly more: HTMLButtonElement;
  private readonly empty: HTMLElement;
  private readonly actions: LibraryActions;
  private items: LibraryItem[] = [];
  private nextCursor: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement, actions: LibraryActions) {
    this.root = root;
    this.actions = actions;
    this.list = root.querySelector('ul')!;
    this.more = root.querySelector('button.more')!;
    this.empty = root.querySelector('.empty')!;
    this.more.addEventListener('click', () => void this.loadMore());
    root.querySelector('button.refresh')!.addEventListener('click', () => void this.refresh());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) void this.refresh();
    });
  }

  /** Reloads the first page (and as many entries as were shown). */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    let page: LibraryList;
    try {
      page = await fetchLibrary(null, Math.min(50, Math.max(20, this.items.length)));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) console.warn('library unavailable', e);
      return;
    }
    this.items = page.jobs;
    this.nextCursor = page.nextCursor;
    this.render();
    if (this.items.some((j) => j.status === 'initialized' || j.status === 'processing')) {
      this.timer = setTimeout(() => {
        if (!document.hidden) void this.refresh();
      }, REFRESH_MS);
    }
  }

  private async loadMore(): Promise<void> {
    if (!this.nextCursor) return;
    const page = await fetchLibrary(this.nextCursor);
    this.items.push(...page.jobs);
    this.nextCursor = page.nextCursor;
    this.render();
  }

  private async remove(item: LibraryItem): Promise<void> {
    if (!window.confirm(`Delete “${item.title}” and its audio?`)) return;
    try {
      await deleteJob(item.jobId);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) {
        this.actions.notice(`Could not delete: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
    this.actions.deleted(item.jobId);
    this.actions.notice(`Deleted “${item.title}”.`);
    await this.refresh();
  }

  private render(): void {
    setData(this.root, 'count', this.items.length);
    this.empty.hidden = this.items.length > 0;
    this.more.hidden = this.nextCursor === null;
    this.list.replaceChildren(...this.items.map((item) => this.entry(item)));
  }

  private entry(item: LibraryItem): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'book';
    li.dataset.jobId = item.jobId;
    li.dataset.status = item.status;
    const title = document.createElement('h3');
    title.textContent = item.title;
    const meta = document.createElement('p');
    meta.className = 'meta';
    const parts = [item.status === 'completed' ? 'ready' : item.status, `${Math.round(item.progress * 100)}% synthesized`];
    if (item.durationMs !== null) parts.push(formatClock(item.durationMs));
    if (item.position && !item.position.finished) parts.push(`at ${Math.min(item.position.index + 1, item.totalChunks)} of ${item.totalChunks}`);
    if (item.position?.finished) parts.push('heard');
    meta.textContent = parts.join(' · ');
    const dates = document.createElement('p');
    dates.className = 'meta dates';
    dates.textContent = `made ${when(item.createdAt)} · kept until ${when(item.expiresAt)}`;
    const bar = document.createElement('div');
    bar.className = 'book-actions';
    bar.append(button('Open', 'secondary open', () => this.actions.open(item.jobId, false), `Open “${item.title}”`));
    if (item.position && !item.position.finished) {
      bar.append(button('Resume', 'primary resume', () => this.actions.open(item.jobId, true), `Resume “${item.title}”`));
    }
    const dl = document.createElement('a');
    dl.className = 'download';
    dl.textContent = 'Download';
    dl.setAttribute('aria-label', `Download “${item.title}”`);
    if (item.status === 'completed') {
      dl.href = jobUrls(item.jobId).audio;
      dl.download = '';
    } else dl.setAttribute('aria-disabled', 'true');
    bar.append(dl, button('Delete', 'danger delete', () => void this.remove(item), `Delete “${item.title}”`));
    li.append(title, meta, dates, bar);
    return li;
  }
}
