// Progress of a job on stderr: a single self-updating bar on a terminal, plain
// periodic lines otherwise (logs, CI, pipes). Formatting is pure so it can be
// tested; the reporter only decides when to draw.

export interface ProgressSnapshot {
  /** Chunks finished on the server. */
  completed: number;
  failed: number;
  total: number;
  /** Audio received so far, in milliseconds. */
  audioMs: number;
  /** Estimated time to finish, when there is enough data to say. */
  etaMs: number | undefined;
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Minutes of audio with one decimal: `0.4 min`, `123.0 min`. */
export function formatAudioMinutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** The words after the bar: `12/40 chunks · 3.2 min audio · ETA 0:45`. */
export function formatProgressText(s: ProgressSnapshot): string {
  const parts = [`${s.completed}/${s.total} chunks`];
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  parts.push(`${formatAudioMinutes(s.audioMs)} audio`);
  parts.push(`ETA ${s.etaMs === undefined ? '--:--' : formatClock(s.etaMs)}`);
  return parts.join(' · ');
}

/** One terminal line, at most `columns` wide: `[██████░░░░]  60% 12/40 chunks · ...`. */
export function formatProgressBar(s: ProgressSnapshot, columns: number): string {
  const ratio = s.total > 0 ? Math.min(1, s.completed / s.total) : 0;
  const text = `${String(Math.floor(ratio * 100)).padStart(3)}% ${formatProgressText(s)}`;
  const barWidth = Math.min(30, columns - text.length - 3);
  if (barWidth < 5) return text.slice(0, Math.max(0, columns - 1));
  const filled = Math.round(ratio * barWidth);
  return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${text}`;
}

/** Plain log line: `progress: 12/40 chunks (30%) · 3.2 min audio · ETA 0:45`. */
export function formatProgressLine(s: ProgressSnapshot): string {
  const pct = s.total > 0 ? Math.floor((Math.min(s.completed, s.total) / s.total) * 100) : 0;
  return `progress: ${formatProgressText(s).replace(' chunks', ` chunks (${pct}%)`)}`;
}

/**
 * Estimates time left from the completion rate over a sliding window. Only
 * live completions count, so a replay of finished chunks on `resume` does not
 * make the job look faster than it is.
 */
export class EtaEstimator {
  private readonly samples: { at: number; completed: number }[] = [];
  private readonly windowMs: number;

  constructor(windowMs = 60_000) {
    this.windowMs = windowMs;
  }

  observe(completed: number, at: number): void {
    const last = this.samples.at(-1);
    if (last && last.completed === completed) return;
    this.samples.push({ at, completed });
    while (this.samples.length > 2 && at - this.samples[1]!.at > this.windowMs) this.samples.shift();
  }

  etaMs(total: number, now: number): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last === first) return undefined;
    const done = last.completed - first.completed;
    const elapsed = now - first.at;
    if (done <= 0 || elapsed <= 0) return undefined;
    // The rate over the window up to now, so a stall slows the estimate down.
    return Math.max(0, ((total - last.completed) * elapsed) / done);
  }
}

export interface ReporterOptions {
  /** Where to draw (stderr). */
  stream: NodeJS.WriteStream;
  /** Draw a bar in place (TTY) or print lines. */
  tty: boolean;
  /** Print nothing but messages. */
  quiet?: boolean;
  /** Minimum time between plain lines. Default 5 s. */
  lineIntervalMs?: number;
  now?: () => number;
}

export class ProgressReporter {
  private readonly opts: ReporterOptions;
  private readonly now: () => number;
  private readonly eta = new EtaEstimator();
  private state: Omit<ProgressSnapshot, 'etaMs'> = { completed: 0, failed: 0, total: 0, audioMs: 0 };
  private barShown = false;
  private lastDrawAt = -Infinity;
  private lastLine = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: ReporterOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** Starts redrawing on a timer (the ETA moves even while no chunk arrives). */
  start(): void {
    if (this.opts.quiet || this.timer) return;
    this.timer = setInterval(() => this.draw(false), this.opts.tty ? 1000 : (this.opts.lineIntervalMs ?? 5000));
    this.timer.unref();
  }

  setTotal(total: number): void {
    this.state.total = total;
    this.draw(false);
  }

  /** A live count from the server (`event: progress`). */
  setCompleted(completed: number, failed: number): void {
    this.state.completed = Math.max(this.state.completed, completed);
    this.state.failed = failed;
    this.eta.observe(this.state.completed, this.now());
    this.draw(false);
  }

  /** A chunk's audio arrived (live or replayed). */
  addChunk(index: number, durationMs: number | null): void {
    this.state.completed = Math.max(this.state.completed, index + 1);
    this.state.audioMs += durationMs ?? 0;
    this.draw(false);
  }

  snapshot(): ProgressSnapshot {
    const done = this.state.total > 0 && this.state.completed >= this.state.total;
    return { ...this.state, etaMs: done ? 0 : this.eta.etaMs(this.state.total, this.now()) };
  }

  /** Prints a message line without tearing the bar. */
  message(text: string): void {
    this.clearBar();
    this.opts.stream.write(`lector: ${text}\n`);
    if (this.barShown) this.draw(true);
  }

  /** Final draw, then leaves the cursor on a fresh line. */
  stop(finalDraw = true): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.opts.quiet) return;
    if (finalDraw) this.draw(true);
    if (this.opts.tty && this.barShown) this.opts.stream.write('\n');
    this.barShown = false;
  }

  private draw(force: boolean): void {
    if (this.opts.quiet || this.state.total === 0) return;
    const now = this.now();
    const s = this.snapshot();
    if (this.opts.tty) {
      if (!force && now - this.lastDrawAt < 100) return;
      const columns = this.opts.stream.columns || 80;
      this.opts.stream.write(`\r\x1b[2K${formatProgressBar(s, columns)}`);
      this.barShown = true;
    } else {
      if (!force && now - this.lastDrawAt < (this.opts.lineIntervalMs ?? 5000)) return;
      const line = formatProgressLine(s);
      if (line === this.lastLine) return;
      this.opts.stream.write(`lector: ${line}\n`);
      this.lastLine = line;
    }
    this.lastDrawAt = now;
  }

  private clearBar(): void {
    if (this.opts.tty && this.barShown) this.opts.stream.write('\r\x1b[2K');
  }
}
