// The player's download links: the whole audio (for a book job, the assembled
// book in its format once `book.status` is done) and the captions, which need
// PCM chunks and so exist only for WAV jobs.
import type { JobState, JobStatus } from '../core/api/types.ts';
import { jobUrls } from './api.ts';
import { setText } from './dom.ts';

export interface DownloadLinks {
  audio: HTMLAnchorElement;
  vtt: HTMLAnchorElement;
  srt: HTMLAnchorElement;
}

export class DownloadsView {
  private readonly links: DownloadLinks;
  private readonly notice: (text: string) => void;
  private why = '';

  constructor(links: DownloadLinks, notice: (text: string) => void) {
    this.links = links;
    this.notice = notice;
    for (const a of this.all()) {
      a.addEventListener('click', (e) => {
        if (a.getAttribute('aria-disabled') !== 'true') return;
        e.preventDefault();
        this.notice(this.why);
      });
    }
  }

  private all(): HTMLAnchorElement[] {
    return [this.links.audio, this.links.vtt, this.links.srt];
  }

  /** No job: nothing to download. */
  reset(): void {
    for (const a of this.all()) {
      a.removeAttribute('href');
      a.setAttribute('aria-disabled', 'true');
      a.hidden = false;
    }
    setText(this.links.audio, 'Full audio (WAV)');
  }

  /** Called on every render with the job's state and status. */
  update(jobId: string, state: JobState, jobStatus: JobStatus): void {
    const urls = jobUrls(jobId);
    this.links.audio.href = urls.audio;
    this.links.vtt.href = urls.vtt;
    this.links.srt.href = urls.srt;
    const completed = jobStatus === 'completed';
    const book = state.book;
    const pcm = state.audioFormat === 'wav';
    let audioReady = completed;
    if (book) {
      audioReady = book.status === 'done';
      setText(this.links.audio, book.status === 'failed' ? 'Full book (assembly failed)' : `Full book (${book.format.toUpperCase()})`);
      this.why = completed ? 'The book file is ready once it is assembled — a moment.' : 'The book file is ready when every sentence is synthesized.';
    } else {
      setText(this.links.audio, 'Full audio (WAV)');
      this.why = 'Downloads are ready when every sentence is synthesized.';
    }
    this.links.audio.setAttribute('aria-disabled', String(!audioReady));
    for (const a of [this.links.vtt, this.links.srt]) {
      // Captions are timed on PCM: a compressed job has none.
      a.hidden = !pcm;
      a.setAttribute('aria-disabled', String(!completed));
    }
  }
}
