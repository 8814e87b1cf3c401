// The long-listening controls around a session: speed (pitch kept), seek back
// and forward, the sleep timer, chapters, the lock screen (Media Session with
// a keep-alive media element) and the position kept on the server.
import type { JobState } from '../core/api/types.ts';
import { jobTitle } from '../core/job-title.ts';
import { jobUrls } from './api.ts';
import { ChaptersView, chapterAt, chaptersOf, formatClock, type Chapter } from './chapters.ts';
import { byId, setData, setText } from './dom.ts';
import { KeepAlive } from './keepalive.ts';
import { MediaSessionBridge, SEEK_BACK_MS, SEEK_FORWARD_MS } from './media-session.ts';
import { ServerPosition } from './position-sync.ts';
import type { JobSession, SessionInfo } from './session.ts';
import { SleepTimer } from './sleep-timer.ts';
import { clampRate } from './stretch.ts';

const RATE_KEY = 'lector:rate';

export class ListeningControls {
  private readonly session: () => JobSession | undefined;
  private readonly after: () => void;
  private readonly speed = byId('speed', HTMLSelectElement);
  private readonly sleep = byId('sleep', HTMLSelectElement);
  private readonly sleepLeft = byId('sleep-left', HTMLSpanElement);
  private readonly player = byId('player', HTMLElement);
  private readonly chapters: ChaptersView;
  private readonly timer = new SleepTimer();
  private readonly media: MediaSessionBridge;
  private readonly keepAlive = new KeepAlive();
  private readonly server = new ServerPosition();
  private title = '';
  /** The session's `stateVersion` the chapter list shows. */
  private shownVersion = -1;

  /** `after` re-renders the page after an action. */
  constructor(session: () => JobSession | undefined, after: () => void) {
    this.session = session;
    this.after = after;
    this.chapters = new ChaptersView(byId('chapters', HTMLElement), (chunk) => void this.session()?.jump(chunk).then(after));
    this.speed.value = String(this.storedRate());
    this.speed.addEventListener('change', () => this.setRate(Number(this.speed.value)));
    this.sleep.addEventListener('change', () => this.setSleep());
    byId('back', HTMLButtonElement).addEventListener('click', () => this.seekBy(-SEEK_BACK_MS));
    byId('forward', HTMLButtonElement).addEventListener('click', () => this.seekBy(SEEK_FORWARD_MS));
    this.media = new MediaSessionBridge({
      play: () => void this.session()?.play().then(after),
      pause: () => {
        this.session()?.pause();
        after();
      },
      seekBy: (ms) => this.seekBy(ms),
      seekTo: (ms) => {
        const s = this.session();
        if (s) void s.seekBy(ms - s.timeline().positionMs).then(after);
      },
      previous: () => this.step(-1),
      next: () => this.step(1),
    });
  }

  /** A job was opened: its chapters, the chosen speed, a fresh sleep timer. */
  opened(session: JobSession): void {
    const words = (session.state.chunks ?? []).slice(0, 3).map((c) => c.text).join(' ');
    this.title = jobTitle(words, session.state.metadata?.title);
    this.renderChapters(session);
    session.setRate(this.storedRate());
    this.sleep.value = 'off';
    this.timer.set({ kind: 'off' }, { index: 0, sentence: 0 });
    const chapterOption = this.sleep.querySelector<HTMLOptionElement>('option[value="chapter"]')!;
    chapterOption.textContent = this.chapters.all.length > 0 ? 'End of chapter' : 'End of this sentence';
    this.server.reset(session.jobId);
  }

  /** The chapter list, with a download per chapter once the book is assembled. */
  private renderChapters(s: JobSession): void {
    this.shownVersion = s.stateVersion;
    const state = s.state as JobState;
    const done = state.book?.status === 'done';
    const urls = jobUrls(s.jobId);
    this.chapters.render(chaptersOf(state), done ? { url: (c) => urls.chapter(c.index), label: state.book!.format.toUpperCase() } : undefined);
  }

  closed(): void {
    this.server.reset(null);
    this.chapters.render([]);
    this.keepAlive.set(false);
  }

  /** Called on every render. */
  update(info: SessionInfo): void {
    const p = info.playback;
    const s = this.session();
    if (!s) return;
    const playing = p.state === 'playing' || p.state === 'buffering';
    if (playing && this.timer.due({ index: p.resumeAt.index, sentence: p.resumeSentence })) {
      s.pause();
      setText(this.sleepLeft, 'Paused by the sleep timer.');
      this.sleep.value = 'off';
    } else if (this.timer.active) {
      const left = this.timer.remainingMs();
      setText(this.sleepLeft, left !== null ? `${formatClock(left)} left` : 'until the end of this part');
    }
    if (s.stateVersion !== this.shownVersion) this.renderChapters(s);
    this.chapters.highlight(p.index);
    const chapter = this.chapters.all[chapterAt(this.chapters.all, p.index)];
    const timeline = s.timeline();
    this.media.update({
      title: this.title || 'Lector',
      chapter: chapter ? chapter.title : null,
      state: playing ? 'playing' : p.state === 'idle' ? 'none' : 'paused',
      positionMs: timeline.positionMs,
      durationMs: timeline.durationMs,
      rate: s.rate,
    });
    this.keepAlive.set(playing);
    this.server.maybeSave(p.resumeAt, p.resumeSentence, p.state === 'playing', p.state === 'finished');
    setData(this.player, 'rate', s.rate);
    setData(this.player, 'positionMs', Math.round(timeline.positionMs));
    setData(this.player, 'sleep', this.timer.active ? (this.timer.stopChunk ?? 'minutes') : 'off');
    setData(this.player, 'chapter', chapterAt(this.chapters.all, p.index));
  }

  /** Saves the position on the server now (the page is going away). */
  flush(info: SessionInfo): void {
    this.server.flush(info.playback.resumeAt, info.playback.state === 'finished');
  }

  private seekBy(ms: number): void {
    void this.session()?.seekBy(ms).then(this.after);
  }

  /** Previous/next chapter with chapters, else previous/next sentence. */
  private step(delta: 1 | -1): void {
    const s = this.session();
    if (!s) return;
    const list = this.chapters.all;
    if (list.length === 0) {
      void s.step(delta).then(this.after);
      return;
    }
    const index = s.tick().playback.index;
    const here = chapterAt(list, index);
    // "Previous" a few sentences into a chapter goes back to its start, as players do.
    const target: Chapter | undefined = delta < 0 && here >= 0 && index > list[here]!.firstChunk + 1 ? list[here] : list[Math.max(0, here + delta)];
    if (target) void s.jump(target.firstChunk).then(this.after);
  }

  private setRate(rate: number): void {
    const r = clampRate(rate);
    try {
      localStorage.setItem(RATE_KEY, String(r));
    } catch (e) {
      console.warn('cannot remember the speed', e);
    }
    this.session()?.setRate(r);
    this.after();
  }

  private storedRate(): number {
    try {
      return clampRate(Number(localStorage.getItem(RATE_KEY) ?? '1'));
    } catch {
      return 1;
    }
  }

  private setSleep(): void {
    const v = this.sleep.value;
    const s = this.session();
    const p = s?.tick().playback;
    const here = { index: p?.index ?? 0, sentence: p?.sentence ?? 0 };
    const none = { index: 0, sentence: 0 };
    setText(this.sleepLeft, '');
    if (v === 'off') this.timer.set({ kind: 'off' }, none);
    else if (v === 'chapter') {
      const list = this.chapters.all;
      const c = list[chapterAt(list, here.index)];
      // Without chapters: the end of the sentence being read.
      const end = c ? { index: c.firstChunk + c.chunkCount, sentence: 0 } : (s?.sentences.step(here, 1, s.tick().total) ?? { index: here.index + 1, sentence: 0 });
      this.timer.set({ kind: 'chapter' }, end);
    } else this.timer.set({ kind: 'minutes', minutes: Number(v) }, none);
    this.after();
  }
}
