// Brings a freshly started bench stack to the state a measured job should find:
// warm (one short job through every part), this process's engine warm, and idle.
// After start the engine workers warm their JIT while idle (src/synth/worker/
// warm-up.ts, ~12,000 characters each); a job that lands meanwhile shares the two
// cores with both of them, and its first audio took 141-263 ms instead of ~100.
// Echogarden's peer is measured the same way: after a warm-up call, on an idle machine.
import type { Stack } from '../../scripts/stack/stack.ts';
import { warmEngine } from './engine.ts';
import { streamJob } from './lector-client.ts';
import { groupCpuMs } from './proc.ts';
import { WARM_UP_TEXT } from './setup.ts';

/** Idle: the stack's processes used less than this share of one core over one interval. */
const IDLE_SHARE = 0.05;
const INTERVAL_MS = 500;

function stackCpuMs(stack: Stack): number {
  return groupCpuMs(stack.edge.pid) + groupCpuMs(stack.synth!.pid);
}

/** Resolves once the stack is idle; answers the milliseconds that took (at most `timeoutMs`). */
export async function waitStackIdle(stack: Stack, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  let before = stackCpuMs(stack);
  while (performance.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    const now = stackCpuMs(stack);
    if (now - before < IDLE_SHARE * INTERVAL_MS) return performance.now() - t0;
    before = now;
  }
  console.error(`bench: the stack was still busy after ${timeoutMs} ms; measuring anyway`);
  return performance.now() - t0;
}

/** One short job, this process's engine warmed, then the stack idle. */
export async function warmStack(stack: Stack): Promise<void> {
  await streamJob(stack.edgeUrl, WARM_UP_TEXT);
  await warmEngine();
  const ms = await waitStackIdle(stack);
  console.error(`bench: stack warm and idle ${(ms / 1000).toFixed(1)} s after the warm-up job`);
}
