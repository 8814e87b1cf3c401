// Resident memory of a process from Linux's /proc, for workers that cannot
// report it themselves (v1).

import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes, or null when unknown (not Linux, or the process just exited). */
export function readProcRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
