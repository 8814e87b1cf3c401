// A child process run in its own process group, so stopping it stops every
// process it started (wrangler starts workerd; the synthesis service starts
// engine workers). SIGTERM first, SIGKILL after a grace period.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Receives every output line (stdout and stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

interface LineWaiter {
  re: RegExp;
  resolve: (m: RegExpMatchArray) => void;
}

export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<LineWaiter>();
  readonly exited: Promise<number | null>;

  constructor(opts: ManagedProcessOptions) {
    this.name = opts.name;
    this.child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    for (const stream of ['stdout', 'stderr'] as const) {
      let buf = '';
      this.child[stream]!.setEncoding('utf8');
      this.child[stream]!.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          this.onLine(line, stream, opts.onLine);
        }
      });
    }
  }

  private onLine(line: string, stream: 'stdout' | 'stderr', sink?: ManagedProcessOptions['onLine']): void {
    this.lines.push(line);
    if (this.lines.length > 2000) this.lines.shift();
    sink?.(line, stream);
    for (const w of this.waiters) {
      const m = line.match(w.re);
      if (m) {
        this.waiters.delete(w);
        w.resolve(m);
      }
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Output seen so far (last 2,000 lines). */
  output(): string {
    return this.lines.join('\n');
  }

  /** Resolves with the first line (already seen or future) matching `re`. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms. Output:\n${this.output().slice(-3000)}`));
      }, timeoutMs);
      const w: LineWaiter = {
        re,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.add(w);
      void this.exited.then((code) => {
        if (!this.waiters.has(w)) return;
        this.waiters.delete(w);
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}) before printing ${re}. Output:\n${this.output().slice(-3000)}`));
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Signals the whole process group. */
  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  /** SIGTERM the group, SIGKILL it after `graceMs`; resolves when the leader has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Children that ignored SIGTERM or outlived the leader go now.
    this.signal('SIGKILL');
  }
}
