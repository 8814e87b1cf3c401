// The stack every comparison section runs: the whole local stack with the
// synthesis service pinned to one eSpeak worker per core, so the worker count
// in the efficiency formula is fixed and known.
import { availableParallelism } from 'node:os';
import { startStack, type Stack, type StackOptions } from '../../scripts/stack/stack.ts';
import type { ProcInfo, ProcessRole } from './proc.ts';

/** The voice of every figure: eSpeak NG, US English. */
export const VOICE = 'espeak:en-us';

/** Engine workers of the synthesis service: one per core unless BENCH_SYNTH_WORKERS says otherwise. */
export function benchWorkers(): number {
  const n = Number(process.env.BENCH_SYNTH_WORKERS ?? availableParallelism());
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`BENCH_SYNTH_WORKERS must be a positive integer, got ${process.env.BENCH_SYNTH_WORKERS}`);
  return n;
}

/** The synthesis service's flags for the benchmarks (see docs/synth.md). */
export function benchSynthArgs(workers = benchWorkers()): string[] {
  return ['--min-workers', String(workers), '--max-workers', String(workers), '--engines', 'espeak'];
}

/** The stack, and how often wrangler dev reloaded (it does when any source file changes, e.g. someone else's edit; the Miniflare runner never does). */
export interface BenchStack {
  stack: Stack;
  reloads(): number;
  /** Output lines of the edge and the synthesis service that may explain a restart (errors, warnings, exits; last 100). */
  notable(): string[];
}

const NOTABLE = /error|warn|restart|reload|exit|crash|memory|signal|killed|✘/i;

export async function startBenchStack(workers = benchWorkers(), extra: Pick<StackOptions, 'tailCollectorUrl'> = {}): Promise<BenchStack> {
  let reloads = 0;
  const notable: string[] = [];
  const stack = await startStack({
    ...extra,
    synthArgs: benchSynthArgs(workers),
    onLine: (name, line) => {
      if (name === 'wrangler' && /Reloading local server|Local server updated/.test(line)) reloads++;
      if (NOTABLE.test(line)) {
        notable.push(`${new Date().toISOString()} ${name}: ${line.slice(0, 500)}`);
        if (notable.length > 100) notable.shift();
      }
    },
  });
  return { stack, reloads: () => reloads, notable: () => [...notable] };
}

/**
 * Which part of the stack a process is (by process group and command line).
 * 'wrangler' is the edge's Node process: wrangler dev's CLI, or the Miniflare
 * runner (scripts/stack/edge-runner.ts) that replaces it by default.
 */
export function roleOf(stack: Stack): (p: ProcInfo) => ProcessRole {
  return (p) => {
    if (p.pgid === stack.edge.pid) {
      if (p.comm.includes('workerd')) return 'workerd';
      return /wrangler|edge-runner/.test(p.cmdline) ? 'wrangler' : 'other';
    }
    if (stack.synth && p.pgid === stack.synth.pid) return p.pid === stack.synth.pid ? 'synth service' : 'engine worker';
    return 'other';
  };
}

/** A short text, run once after start-up so JIT, SQLite, R2 and the workers are warm. */
export const WARM_UP_TEXT = 'Warm up. The stack starts cold.\n\nA second paragraph, and a third sentence. Then a fourth one.';
