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
 * glibc malloc: allocations of 128 KiB and more (PCM, WAV, frames) get their
 * own mapping, returned to the system when freed. By default glibc raises this
 * threshold as large blocks are freed, after which they come from the heap and
 * stay resident as fragments (about 25 MiB more per engine worker).
 */
export const NODE_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };
