// Plays a job's chunks end to end on the AudioContext clock: each chunk is
// scheduled to start exactly when the previous one ends plus the designed
// pause (the same pauses as the full-audio download), a few seconds ahead of
// the clock, with millisecond fades at every edge so nothing clicks. Pause and
// seek stop the current "generation" of scheduled sources (fading its bus out);
// resume starts a new one. Speed: chunks time-stretched, pitch kept (stretch.ts).
// Inside a chunk it knows its sentences (sentence-map.ts) and when each is heard
// (src/core/sentences.ts), so the page highlights and seeks by sentence.
import { pauseBeforeMs } from '../core/audio/timeline.ts';
import { ChunkAudioCache } from './chunk-audio.ts';
import { moveBy, timelineAt, type ChunkTimes } from './listening-time.ts';
import { DEFAULT_PLAYER_OPTIONS, type PlaybackSnapshot, type PlaybackState, type PlayerChunk, type PlayerOptions, type Position } from './playback.ts';
import { SentenceClock } from './sentence-clock.ts';
import { SentenceMap } from './sentence-map.ts';
import { clampRate, StretchCache } from './stretch.ts';

export { DEFAULT_PLAYER_OPTIONS } from './playback.ts';
export type { PlaybackSnapshot, PlaybackState, PlayerChunk, PlayerOptions, Position } from './playback.ts';

interface ScheduledChunk {
  index: number;
  /** AudioContext time of the first sample played. */
  startCtx: number;
  endCtx: number;
  /** Seconds into the chunk's audio where playback started. */
  offsetS: number;
  /** Seconds of the chunk's own audio played (at 1×). */
  durationS: number;
  /** Playback speed: the clock runs 1/rate seconds per second of the chunk's audio. */
  rate: number;
  source: AudioBufferSourceNode;
}

/** Sources scheduled since the last play or seek; stopped as one. */
interface Generation {
  bus: GainNode;
  entries: ScheduledChunk[];
  start: Position;
  /** Next chunk index to schedule, and the offset into it (non-zero only for the first). */
  next: number;
  nextOffsetS: number;
  /** A sentence of the first chunk to start at, once its audio (and so its length) is known. */
  nextSentence: number | null;
  /** AudioContext time the last scheduled chunk ends, or null before the first. */
  lastEnd: number | null;
}

export class Player {
  private readonly ctx: AudioContext;
  private readonly opts: PlayerOptions;
  private readonly out: GainNode;
  private readonly chunks = new Map<number, PlayerChunk>();
  private readonly audio: ChunkAudioCache;
  private readonly played = new Set<number>();
  private total: number;
  private gen: Generation | null = null;
  private state: PlaybackState = 'idle';
  /** Where playback stands while no generation runs. */
  private cursor: Position = { index: 0, offsetMs: 0 };
  /** With `cursor`: the start of this sentence of its chunk, to be placed when the chunk's length is known. */
  private cursorSentence: number | null = null;
  private readonly clock: SentenceClock;
  /** The chunk heard at the last tick (drives prefetch and eviction). */
  private head = 0;
  private underruns = 0;
  private lateS = 0;
  /** The audio-clock span of what was scheduled since playback last began (tests measure gaps with it). */
  private scheduledFrom = -1;
  private scheduledTo = -1;
  private suspendTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private rate = 1;
  private readonly stretched: StretchCache;

  constructor(ctx: AudioContext, total: number, opts: Partial<PlayerOptions> = {}, onAudioError?: (index: number, error: unknown) => void, sentences = new SentenceMap()) {
    this.ctx = ctx;
    this.clock = new SentenceClock(sentences, (i) => this.durationMs(i), (i) => this.chunks.get(i)?.words);
    this.total = total;
    this.opts = { ...DEFAULT_PLAYER_OPTIONS, ...opts };
    this.out = ctx.createGain();
    this.out.connect(ctx.destination);
    this.audio = new ChunkAudioCache(ctx, () => this.pump(), onAudioError);
    this.stretched = new StretchCache(ctx);
  }

  get playbackState(): PlaybackState {
    return this.state;
  }

  chunk(index: number): PlayerChunk | undefined {
    return this.chunks.get(index);
  }

  setTotal(total: number): void {
    this.total = total;
  }

  /** A chunk's audio is ready on the server. */
  addChunk(chunk: PlayerChunk): void {
    const known = this.chunks.get(chunk.index);
    // Keep word timings from the event stream over a bare entry from the job state.
    this.chunks.set(chunk.index, known?.words && !chunk.words ? { ...chunk, words: known.words } : chunk);
    this.pump();
  }

  get playbackRate(): number {
    return this.rate;
  }

  /** Playback speed, 0.5–3×, pitch kept; while playing, goes on from the same place at the new speed. */
  setRate(rate: number): void {
    const r = clampRate(rate);
    if (r === this.rate) return;
    const at = this.gen ? this.snapshot().resumeAt : null;
    this.rate = r;
    if (at) void this.play(at);
  }

  /** Moves by `deltaMs` of listening time (chunks and pauses); keeps playing if playing. */
  async seekBy(deltaMs: number): Promise<boolean> {
    const target = moveBy(this.snapshot().resumeAt, deltaMs, this.times);
    if (this.gen) return this.play(target);
    this.moveTo(target);
    return true;
  }

  /** Listening time to the current position, and in all (null while a length is unknown). */
  timeline(): { positionMs: number; durationMs: number | null } {
    return timelineAt(this.snapshot().resumeAt, this.times);
  }

  private get times(): ChunkTimes {
    return { total: this.total, pauses: this.opts.pauses, durationMs: (i) => this.durationMs(i), paragraphStart: (i) => this.chunks.get(i)?.paragraphStart ?? null };
  }

  /**
   * Starts (or continues) playback, at `at` if given (at the start of its chunk's
   * sentence `sentence` instead, once known, if that is given). False when the
   * browser keeps audio blocked.
   */
  async play(at?: Position, sentence: number | null = null): Promise<boolean> {
    if (at) this.setCursor(at, sentence);
    else if (this.state === 'finished') this.setCursor({ index: 0, offsetMs: 0 }, null);
    if (!(await this.ensureRunning())) return false;
    if (this.disposed) return false;
    this.stopGeneration();
    this.state = 'buffering';
    this.gen = this.newGeneration(this.cursor, this.cursorSentence);
    this.pump();
    return true;
  }

  pause(): void {
    if (!this.gen) return;
    const snap = this.snapshot();
    // Not started yet at a sentence whose place is still unknown: keep the sentence.
    this.setCursor(snap.resumeAt, this.gen.nextSentence !== null && this.gen.entries.length === 0 ? this.gen.nextSentence : null);
    this.stopGeneration();
    this.state = 'paused';
    // Let the fade play out, then stop the audio thread until needed.
    clearTimeout(this.suspendTimer);
    this.suspendTimer = setTimeout(() => {
      if (!this.gen && this.ctx.state === 'running') void this.ctx.suspend();
    }, 250);
  }

  /**
   * Jumps to the start of sentence `sentence` of chunk `index`; keeps playing if
   * playing. A chunk whose length is not known yet is started at that sentence
   * once its audio is ready.
   */
  async seekSentence(index: number, sentence: number, play = this.gen !== null): Promise<boolean> {
    const i = Math.max(0, Math.min(this.total - 1, index));
    const startMs = this.clock.startMs(i, sentence);
    const pending = startMs === null ? Math.max(0, sentence) : null;
    if (play) return this.play({ index: i, offsetMs: startMs ?? 0 }, pending);
    this.moveTo({ index: i, offsetMs: startMs ?? 0 }, pending);
    return true;
  }

  /** Sets where playback will start, without playing (stops playback if running). */
  moveTo(at: Position, sentence: number | null = null): void {
    this.stopGeneration();
    this.setCursor(at, sentence);
    if (this.state !== 'idle') this.state = 'paused';
    this.head = this.cursor.index;
    this.pump(); // starts fetching the audio around the new position
  }

  private setCursor(at: Position, sentence: number | null): void {
    this.cursor = { index: Math.max(0, Math.min(Math.max(0, this.total - 1), at.index)), offsetMs: Math.max(0, at.offsetMs) };
    this.cursorSentence = sentence;
  }

  /** Advances bookkeeping; call a few times a second. */
  tick(): PlaybackSnapshot {
    const snap = this.snapshot();
    if (this.gen) {
      const t = this.heardTime();
      for (const e of this.gen.entries) if (e.endCtx <= t) this.played.add(e.index);
        while (this.gen.entries.length > 1 && this.gen.entries[0]!.endCtx < t - 1) this.gen.entries.shift(); // keep the last: it says where we are
      this.state = snap.state;
      if (snap.state === 'finished') {
        this.stopGeneration();
        this.setCursor(snap.resumeAt, null);
      }
    }
    this.head = snap.index;
    this.pump();
    return { ...snap, playedChunks: this.played.size };
  }

  snapshot(): PlaybackSnapshot {
    const base = {
      playedChunks: this.played.size,
      audioTime: this.ctx.currentTime,
      scheduledFrom: this.scheduledFrom,
      scheduledTo: this.scheduledTo,
      underruns: this.underruns,
      lateMs: Math.round(this.lateS * 1000),
    };
    const g = this.gen;
    if (!g) {
      const c = this.cursor;
      const fraction = this.state === 'finished' ? 1 : this.fraction(c.index, c.offsetMs);
      const sentence = this.cursorSentence ?? this.clock.at(c.index, c.offsetMs);
      return { ...base, state: this.state, index: c.index, offsetMs: c.offsetMs, sentence, resumeAt: c, resumeSentence: sentence, wordIndex: this.wordAt(c.index, c.offsetMs), playedFraction: fraction };
    }
    const t = this.heardTime();
    let cur: ScheduledChunk | undefined;
    for (const e of g.entries) if (e.startCtx <= t) cur = e;
    if (!cur) {
      // Nothing left to schedule at all (started at the very end of the last chunk): done.
      if (g.entries.length === 0 && g.next >= this.total) {
        return { ...base, state: 'finished', index: Math.max(0, this.total - 1), offsetMs: 0, sentence: 0, resumeAt: g.start, resumeSentence: 0, wordIndex: -1, playedFraction: 1 };
      }
      const state: PlaybackState = g.entries.length > 0 ? 'playing' : 'buffering';
      const sentence = g.entries.length === 0 && g.nextSentence !== null ? g.nextSentence : this.clock.at(g.start.index, g.start.offsetMs);
      return { ...base, state, index: g.start.index, offsetMs: g.start.offsetMs, sentence, resumeAt: g.start, resumeSentence: sentence, wordIndex: -1, playedFraction: this.fraction(g.start.index, g.start.offsetMs) };
    }
    if (t < cur.endCtx) {
      const offsetMs = (cur.offsetS + (t - cur.startCtx) * cur.rate) * 1000;
      const at = { index: cur.index, offsetMs };
      const sentence = this.clock.at(cur.index, offsetMs);
      return { ...base, state: 'playing', index: cur.index, offsetMs, sentence, resumeAt: at, resumeSentence: sentence, wordIndex: this.wordAt(cur.index, offsetMs), playedFraction: this.fraction(cur.index, offsetMs) };
    }
    // Between chunks: the designed pause, or waiting for audio that is late.
    const endMs = (cur.offsetS + cur.durationS) * 1000;
    const nextIndex = cur.index + 1;
    let state: PlaybackState = 'playing';
    if (nextIndex >= this.total) state = 'finished';
    else if (g.next <= nextIndex) {
      const meta = this.chunks.get(nextIndex);
      const pauseS = pauseBeforeMs(nextIndex, meta?.paragraphStart ?? false, this.opts.pauses) / 1000 / cur.rate;
      if (t > cur.endCtx + pauseS) state = 'buffering';
    }
    const resumeAt = state === 'finished' ? { index: cur.index, offsetMs: endMs } : { index: nextIndex, offsetMs: 0 };
    const sentence = this.clock.at(cur.index, endMs);
    return { ...base, state, index: cur.index, offsetMs: endMs, sentence, resumeAt, resumeSentence: state === 'finished' ? sentence : 0, wordIndex: this.wordAt(cur.index, endMs), playedFraction: state === 'finished' ? 1 : this.fraction(nextIndex, 0) };
  }

  dispose(): void {
    this.disposed = true;
    this.stopGeneration();
    this.audio.clear();
    clearTimeout(this.suspendTimer);
    this.out.disconnect();
  }

  private async ensureRunning(): Promise<boolean> {
    clearTimeout(this.suspendTimer);
    if (this.ctx.state === 'running') return true;
    // Without a user gesture (a reload) the browser may keep the context
    // suspended and leave resume() pending; do not wait for it forever.
    await Promise.race([this.ctx.resume(), new Promise((r) => setTimeout(r, 400))]);
    return (this.ctx.state as AudioContextState) === 'running';
  }

  private newGeneration(start: Position, sentence: number | null): Generation {
    const bus = this.ctx.createGain();
    bus.connect(this.out);
    this.head = start.index;
    return { bus, entries: [], start: { ...start }, next: start.index, nextOffsetS: start.offsetMs / 1000, nextSentence: sentence, lastEnd: null };
  }

  /** Fades the generation out in a few milliseconds and stops its sources. */
  private stopGeneration(): void {
    const g = this.gen;
    if (!g) return;
    this.gen = null;
    const now = this.ctx.currentTime;
    const fadeEnd = now + this.opts.fadeS * 3;
    g.bus.gain.cancelScheduledValues(now);
    g.bus.gain.setValueAtTime(g.bus.gain.value, now);
    g.bus.gain.linearRampToValueAtTime(0, fadeEnd);
    for (const e of g.entries) e.source.stop(Math.max(fadeEnd, e.startCtx) + 0.005);
    setTimeout(() => g.bus.disconnect(), 500);
  }

  /** Schedules every chunk that is ready and due within the look-ahead. */
  private pump(): void {
    const g = this.gen;
    const from = g ? Math.min(this.head, g.next) : this.cursor.index;
    const to = (g ? g.next : this.cursor.index) + this.opts.prefetchChunks;
    this.audio.keep(from, to, (i) => this.chunks.get(i));
    if (!g || this.disposed) return;
    const now = this.ctx.currentTime;
    while (g.next < this.total) {
      const meta = this.chunks.get(g.next);
      if (!meta) break; // not synthesized yet
      const slot = this.audio.get(g.next);
      if (!slot || slot.state === 'loading') break;
      if (g.nextSentence !== null) {
        // The chunk's length is known now: place the sentence asked for.
        const ms = slot.state === 'ready' ? (this.clock.startMs(g.next, g.nextSentence) ?? 0) : 0;
        g.nextOffsetS = ms / 1000;
        g.start = { index: g.next, offsetMs: ms };
        g.nextSentence = null;
      }
      if (slot.state === 'failed' || g.nextOffsetS >= slot.buffer.duration - 0.01) {
        g.next++; // unplayable (reported) or resumed at its very end: go on
        g.nextOffsetS = 0;
        continue;
      }
      let start = g.lastEnd === null ? now + this.opts.startLeadS : g.lastEnd + pauseBeforeMs(g.next, meta.paragraphStart, this.opts.pauses) / 1000 / this.rate;
      if (start - now > this.opts.scheduleAheadS) break;
      if (start < now + 0.01) {
        // The audio came too late for its slot: start as soon as possible.
        const late = now + this.opts.startLeadS;
        if (g.lastEnd !== null) {
          this.underruns++;
          this.lateS += late - start;
        }
        start = late;
      }
      this.schedule(g, g.next, slot.buffer, start, g.nextOffsetS);
      g.next++;
      g.nextOffsetS = 0;
    }
  }

  private schedule(g: Generation, index: number, buffer: AudioBuffer, start: number, offsetS: number): void {
    const rate = this.rate;
    const durationS = buffer.duration - offsetS;
    const played = this.stretched.at(buffer, rate);
    const end = start + (played.duration - offsetS / rate);
    const source = this.ctx.createBufferSource();
    source.buffer = played;
    const envelope = this.ctx.createGain();
    // A few milliseconds of fade at both edges: no step in the waveform, no click.
    const fade = Math.min(this.opts.fadeS, (end - start) / 4);
    envelope.gain.setValueAtTime(0, start);
    envelope.gain.linearRampToValueAtTime(1, start + fade);
    envelope.gain.setValueAtTime(1, end - fade);
    envelope.gain.linearRampToValueAtTime(0, end);
    source.connect(envelope).connect(g.bus);
    source.start(start, offsetS / rate);
    source.onended = () => envelope.disconnect();
    g.entries.push({ index, startCtx: start, endCtx: end, offsetS, durationS, rate, source });
    if (g.lastEnd === null) this.scheduledFrom = start;
    this.scheduledTo = end;
    g.lastEnd = end;
  }

  /** The clock time now reaching the listener's ears. */
  private heardTime(): number {
    return this.ctx.currentTime - (this.ctx.outputLatency || 0);
  }

  private fraction(index: number, offsetMs: number): number {
    if (this.total <= 0) return 0;
    const d = this.durationMs(index);
    const within = d && d > 0 ? Math.min(1, Math.max(0, offsetMs / d)) : 0;
    return Math.min(1, (index + within) / this.total);
  }

  private durationMs(index: number): number | null {
    const slot = this.audio.get(index);
    if (slot?.state === 'ready') return slot.buffer.duration * 1000;
    return this.chunks.get(index)?.durationMs ?? null;
  }

  private wordAt(index: number, offsetMs: number): number {
    const words = this.chunks.get(index)?.words;
    if (!words) return -1;
    let found = -1;
    for (let i = 0; i < words.length; i++) {
      if (words[i]!.startMs <= offsetMs) found = i;
      else break;
    }
    return found;
  }
}
