// Node flags for the synthesis service's and engine workers' processes (and
// wrangler's, started by scripts/stack): imported by the launcher too, so this
// file has no imports of its own.

/**
 * A 1 MiB young generation (semi-space; V8 grows it to 16 MiB or more by
 * default). The garbage here is short-lived PCM, WAV and JSON, so a small
 * nursery collects it as often and keeps each process's peak 15-50 MiB lower,
 * with no CPU cost above the noise (docs/benchmarks.md, Memory).
 */
export const SMALL_HEAP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * Node's on-disk compile cache (`NODE_COMPILE_CACHE`, documented since Node 22) for the stack's
 * Node processes, in the repository's `node_modules/.cache`: a process started after the first
 * one reads V8's bytecode for its modules instead of parsing and compiling them again (eSpeak's
 * wasm2js build in every engine worker, Miniflare's 5.8 MB bundle in the edge runner). The
 * stack's peak memory fell by ~65 MiB (workers ~18 MiB each, service ~12, runner ~18) once the
 * cache was filled; entries are keyed by each file's content, so an edited file is compiled
 * afresh. A NODE_COMPILE_CACHE already in the environment wins.
 */
export function compileCacheEnv(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string>> {
  return { NODE_COMPILE_CACHE: env.NODE_COMPILE_CACHE ?? `${repoRoot}/node_modules/.cache/lector-node-compile-cache` };
}

/**
 * glibc malloc: allocations of 128 KiB and more (PCM, WAV, frames) get their
 * own mapping, returned to the system when freed. By default glibc raises this
 * threshold as large blocks are freed, after which they come from the heap and
 * stay resident as fragments (about 25 MiB more per engine worker). One arena:
 * V8's compile threads (TurboFan recompiles eSpeak's wasm2js code on them)
 * otherwise each keep an arena of their own, ~35 MiB more per engine worker at
 * the end of a 50,000-character job, with no CPU difference measured
 * (docs/benchmarks.md, Session 6).
 */
export const NODE_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '1' };
