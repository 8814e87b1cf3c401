// One job on the page: its state from the API, its event stream, its
// transcript and its player. Opening a session works the same after "Speak"
// and after a reload: fetch the job with its chunks, render them, hand the
// finished ones to the player, and follow the stream from where playback is.
import type { ChunkEventData, JobState, JobStatus } from '../core/api/types.ts';
import { base64ToBytes } from '../core/base64.ts';
import { fetchJobState, jobUrls } from './api.ts';
import { JobStream } from './job-stream.ts';
import { Player, type PlaybackSnapshot, type Position } from './player.ts';
import { SentenceMap } from './sentence-map.ts';
import type { TranscriptView } from './transcript.ts';

export interface SessionInfo {
  jobId: string;
  jobStatus: JobStatus;
  total: number;
  synthesized: number;
  failed: number;
  /** Why the job failed, or why audio could not be played. */
  error: string | null;
  /** The event stream dropped and EventSource is reconnecting. */
  reconnecting: boolean;
  /** The browser refused to start audio without a user gesture (after a reload). */
  blocked: boolean;
  playback: PlaybackSnapshot;
}

/** How often the job state is fetched while its book is being assembled. */
const BOOK_POLL_MS = 1500;

export class JobSession {
  readonly jobId: string;
  /** The job state: fetched at open, and again while the book is assembled (chapter durations, book status). */
  state: JobState;
  /** Bumped whenever `state` is replaced. */
  stateVersion = 0;
  /** The sentences of each chunk: the transcript, the player and Previous/Next count by them. */
  readonly sentences = new SentenceMap();
  private readonly player: Player;
  private readonly transcript: TranscriptView;
  private stream: JobStream | null = null;
  private jobStatus: JobStatus;
  private total: number;
  private completed: number;
  private failed: number;
  private error: string | null = null;
  private reconnecting = false;
  private blocked = false;
  private closed = false;
  private following = false;
  /** Object URLs of audio that came inside events, revoked on close. */
  private readonly inlineUrls: string[] = [];

  private constructor(ctx: AudioContext, state: JobState, transcript: TranscriptView) {
    this.jobId = state.jobId;
    this.state = state;
    this.transcript = transcript;
    this.jobStatus = state.status;
    this.total = state.totalSentences;
    this.completed = state.counts.completed;
    this.failed = state.counts.failed;
    if (state.status === 'failed') this.error = state.errorMessage ?? 'the job failed';
    this.player = new Player(ctx, this.total, {}, (index, e) => {
      this.error = `part ${index + 1} could not be played (${e instanceof Error ? e.message : String(e)}); skipped`;
    }, this.sentences);
  }

  /** Fetches the job, renders it, and follows its stream for chunks from `start.index` on. */
  static async open(ctx: AudioContext, jobId: string, transcript: TranscriptView, start: Position): Promise<JobSession> {
    const state = await fetchJobState(jobId);
    const session = new JobSession(ctx, state, transcript);
    session.begin(start);
    return session;
  }

  private begin(start: Position): void {
    const urls = jobUrls(this.jobId);
    const chunks = this.state.chunks ?? [];
    this.transcript.render(chunks, this.sentences);
    // Chunks already done are playable at once (the stream adds word timings for those it replays).
    for (const c of chunks) {
      if (c.status === 'completed') this.player.addChunk({ index: c.index, paragraphStart: c.paragraphStart, url: urls.chunk(c.index), durationMs: c.durationMs });
    }
    this.player.moveTo(start);
    const book = this.state.book?.status;
    if (this.state.status === 'completed' && (book === 'waiting' || book === 'assembling')) void this.followBook();
    this.stream = new JobStream(urls.events(start.index - 1), {
      job: (d) => {
        this.total = d.total;
        this.player.setTotal(d.total);
        this.jobStatus = d.status;
      },
      chunk: (d) => this.onChunk(d),
      progress: (d) => {
        this.reconnecting = false;
        this.completed = Math.max(this.completed, d.completed);
        this.failed = d.failed;
        this.jobStatus = d.status;
      },
      end: (d) => {
        this.jobStatus = d.status;
        this.completed = d.total;
        this.reconnecting = false;
        void this.followBook();
      },
      failed: (d) => {
        this.reconnecting = false;
        if (d.code !== 'stream_closed') this.jobStatus = d.code === 'job_cancelled' ? 'cancelled' : 'failed';
        this.error = d.message;
      },
      reconnecting: () => {
        this.reconnecting = true;
      },
    });
  }

  /** Refetches the state until the book is assembled (or failed): its links and chapter durations come then. */
  private async followBook(): Promise<void> {
    if (this.following) return;
    this.following = true;
    while (!this.closed) {
      try {
        this.state = await fetchJobState(this.jobId);
        this.stateVersion++;
      } catch (e) {
        console.warn('book: cannot refresh the job state', e);
      }
      const b = this.state.book?.status;
      if (b === undefined || b === 'done' || b === 'failed') return;
      await new Promise((r) => setTimeout(r, BOOK_POLL_MS));
    }
  }

  private onChunk(d: ChunkEventData): void {
    this.reconnecting = false;
    this.transcript.setText(d.index, d.text);
    this.sentences.set(d.index, d.text);
    this.transcript.setStatus(d.index, 'completed');
    if (d.words?.length) this.transcript.setWords(d.index, d.words);
    const c = { index: d.index, paragraphStart: d.paragraphStart, url: d.audioChunk ? this.inlineUrl(d.audioChunk, d.mimeType) : d.url, durationMs: d.durationMs };
    this.player.addChunk(d.words ? { ...c, words: d.words } : c);
    if (this.jobStatus === 'initialized') this.jobStatus = 'processing';
  }

  /** The audio an event carried, as a URL the player fetches like any chunk's. */
  private inlineUrl(base64: string, mimeType: string): string {
    const url = URL.createObjectURL(new Blob([base64ToBytes(base64) as Uint8Array<ArrayBuffer>], { type: mimeType }));
    this.inlineUrls.push(url);
    return url;
  }

  /** Plays from `at` (or where it stands). False when audio is blocked until a user gesture. */
  async play(at?: Position): Promise<boolean> {
    const ok = await this.player.play(at);
    this.blocked = !ok;
    return ok;
  }

  pause(): void {
    this.player.pause();
  }

  /** Pauses when playing; otherwise plays. */
  async toggle(): Promise<void> {
    const s = this.player.playbackState;
    if (s === 'playing' || s === 'buffering') this.pause();
    else await this.play();
  }

  /** Plays from the start of sentence `sentence` (default the first) of chunk `index`. */
  async jump(index: number, sentence = 0): Promise<void> {
    this.blocked = !(await this.player.seekSentence(index, sentence, true));
  }

  /** Moves by `deltaMs` of listening time, playing if it was playing. */
  async seekBy(deltaMs: number): Promise<void> {
    await this.player.seekBy(deltaMs);
  }

  /** Moves to `at` without playing (pauses if playing). */
  moveTo(at: Position): void {
    this.player.moveTo(at);
  }

  get rate(): number {
    return this.player.playbackRate;
  }

  setRate(rate: number): void {
    this.player.setRate(rate);
  }

  /** Listening time to the current position and in all (null until every chunk's length is known). */
  timeline(): { positionMs: number; durationMs: number | null } {
    return this.player.timeline();
  }

  /** Moves to the previous (-1) or next (1) sentence, across chunks, playing if it was playing. */
  async step(delta: 1 | -1): Promise<void> {
    const snap = this.player.snapshot();
    const to = this.sentences.step({ index: snap.index, sentence: snap.sentence }, delta, this.total);
    if (to) await this.player.seekSentence(to.index, to.sentence);
  }

  tick(): SessionInfo {
    const playback = this.player.tick();
    if (playback.state === 'playing') this.blocked = false;
    const synthesized = this.jobStatus === 'completed' ? this.total : this.completed;
    return {
      jobId: this.jobId,
      jobStatus: this.jobStatus,
      total: this.total,
      synthesized,
      failed: this.failed,
      error: this.error,
      reconnecting: this.reconnecting,
      blocked: this.blocked,
      playback,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    this.player.dispose();
    for (const url of this.inlineUrls.splice(0)) URL.revokeObjectURL(url);
  }
}
