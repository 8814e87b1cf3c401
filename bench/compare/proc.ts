// Reads processes from Linux /proc: CPU time and memory (peak RSS, PSS) of every process in a
// process group (the stack runner starts wrangler and the synthesis service
// each in a group of its own, so a group holds workerd or the engine workers).
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // CLK_TCK is 100 on Linux

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** The kernel's short name (`node`, `workerd`, ...). */
  comm: string;
  /** The command line, joined with spaces. */
  cmdline: string;
  /** utime + stime in milliseconds. */
  cpuMs: number;
  /** Peak resident set size (VmHWM) in bytes. */
  peakRssBytes: number;
  /** Current resident set size (VmRSS) in bytes. */
  rssBytes: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After "(comm) ": state ppid pgrp session ... utime(11) stime(12), 0-based.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return {
      pid,
      ppid: Number(f[1]),
      pgid: Number(f[2]),
      comm,
      cmdline,
      cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
      peakRssBytes: kb('VmHWM'),
      rssBytes: kb('VmRSS'),
    };
  } catch (e) {
    // The process ended between readdir and read: it is simply not listed.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw e;
  }
}

/**
 * Proportional set size (`Pss` of /proc/<pid>/smaps_rollup) in bytes: resident
 * pages, each shared page divided by the number of processes mapping it. The
 * stack's five Node processes map the same 48 MiB node binary and two workerd
 * processes the same workerd binary; summing RSS counts those pages once per
 * process, summing PSS counts them once. 0 when the process is gone.
 */
export function readPssBytes(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') return 0;
    throw e;
  }
}

/** Every live process whose process group is one of `pgids`. */
export function processesInGroups(pgids: readonly number[]): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p && pgids.includes(p.pgid)) out.push(p);
  }
  return out;
}

/** CPU milliseconds (user + system) of the processes in group `pgid` whose comm includes `commPart`. */
export function groupCpuMs(pgid: number, commPart = ''): number {
  return processesInGroups([pgid])
    .filter((p) => p.comm.includes(commPart))
    .reduce((a, p) => a + p.cpuMs, 0);
}

/** What a process is in the stack, from its group and command line. */
export type ProcessRole = 'synth service' | 'engine worker' | 'wrangler' | 'workerd' | 'other';

export interface PeakMemory {
  pid: number;
  role: ProcessRole;
  /** The kernel's short name of the process (`node`, `workerd`, `esbuild`...). */
  comm: string;
  peakRssBytes: number;
  /** Largest PSS seen in a sample (PSS has no high-water mark in the kernel). */
  peakPssBytes: number;
}

/** The stack's memory at its fullest sample: sums over its processes at one instant. */
export interface StackMemoryPeak {
  rssBytes: number;
  pssBytes: number;
}

/**
 * Samples the peak RSS (VmHWM, monotonic per process) of every process in the
 * given groups every `intervalMs`, so processes that exit before the end (a
 * recycled worker) are still counted with their last reading. It also samples
 * PSS, per process and summed over the stack: the sum of VmHWM adds peaks
 * reached at different times and counts shared pages once per process, so it
 * overstates what the stack holds; the largest sum of PSS over the samples is
 * the physical memory the stack held at its fullest (up to the sampling).
 */
export class PeakMemorySampler {
  private readonly peaks = new Map<number, PeakMemory>();
  private readonly stackPeakBytes: StackMemoryPeak = { rssBytes: 0, pssBytes: 0 };
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly classify: (p: ProcInfo) => ProcessRole;
  private readonly pgids: readonly number[];

  constructor(pgids: readonly number[], classify: (p: ProcInfo) => ProcessRole, intervalMs = 500) {
    this.pgids = pgids;
    this.classify = classify;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    let rss = 0;
    let pss = 0;
    for (const p of processesInGroups(this.pgids)) {
      const pssBytes = readPssBytes(p.pid);
      rss += p.rssBytes;
      pss += pssBytes;
      const cur = this.peaks.get(p.pid);
      if (!cur) this.peaks.set(p.pid, { pid: p.pid, role: this.classify(p), comm: p.comm, peakRssBytes: p.peakRssBytes, peakPssBytes: pssBytes });
      else {
        cur.peakRssBytes = Math.max(cur.peakRssBytes, p.peakRssBytes);
        cur.peakPssBytes = Math.max(cur.peakPssBytes, pssBytes);
      }
    }
    this.stackPeakBytes.rssBytes = Math.max(this.stackPeakBytes.rssBytes, rss);
    this.stackPeakBytes.pssBytes = Math.max(this.stackPeakBytes.pssBytes, pss);
  }

  /** The largest sums over the stack's processes seen in one sample so far: RSS (VmRSS) and PSS. */
  stackPeak(): StackMemoryPeak {
    return { ...this.stackPeakBytes };
  }

  /** Stops sampling (after one last sample) and returns each process's peak. */
  stop(): PeakMemory[] {
    this.sample();
    clearInterval(this.timer);
    return [...this.peaks.values()].sort((a, b) => a.role.localeCompare(b.role) || a.pid - b.pid);
  }
}
