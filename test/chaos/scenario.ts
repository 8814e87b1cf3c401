// What the chaos scenarios share: the run's size, the job's text, its time
// bound, and the checks every scenario ends with (the planned chunks, and a
// completed job whose audio is byte-exact).
import { expect } from 'vitest';
import type { ChunkInfo, JobState } from '../../src/core/api/types.ts';
import { normalizeText } from '../../src/core/text/normalize.ts';
import { verifyJobAudio } from './audio-check.ts';
import { chaosConfig } from './config.ts';
import { corpusSlice } from './corpus.ts';
import { chunksOf, isSettled, jobState, sleep, synthStatus, waitForJob, type ChaosStack } from './harness.ts';
import { seconds } from './report.ts';

export const cfg = chaosConfig();
/** Options of every chaos job: the chunk cap the slice was planned with. */
export const JOB_OPTIONS = { maxChunkChars: cfg.maxChunkChars };
export const slice = corpusSlice(cfg.chunks, 0, cfg.maxChunkChars);
/** Generous bound for one job of this size, faults included. */
export const JOB_TIMEOUT_MS = (cfg.full ? 8 : 4) * 60_000;

/** Whitespace-insensitive form of a text, to compare chunks joined with their source. */
export const squash = (t: string): string => t.replace(/\s+/g, ' ').trim();

/** Creation to last update (completion or failure), by the job's own clock. */
export const jobSeconds = (s: JobState): number => seconds(s.updatedAt - s.createdAt);

export const mean = (xs: readonly number[]): number => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 100) / 100;

/** The job's chunks: N of them, and together exactly the slice's text (the audio is checked against them). */
export function expectPlannedChunks(state: JobState, n: number): ChunkInfo[] {
  const chunks = chunksOf(state);
  expect(chunks.length).toBe(n);
  expect(squash(chunks.map((c) => c.text).join(' '))).toBe(squash(normalizeText(slice.text)));
  return chunks;
}

/** Waits until the synthesis service has `n` READY workers again. */
export async function waitForWorkers(stack: ChaosStack, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await synthStatus(stack.stack.synthUrl).catch(() => undefined);
    if ((status?.workers ?? []).filter((w) => w.state === 'READY').length >= n) return;
    await sleep(250);
  }
  throw new Error(`the synthesis service did not get ${n} ready workers back within ${timeoutMs} ms`);
}

export async function settle(stack: ChaosStack, jobId: string, timeoutMs = JOB_TIMEOUT_MS): Promise<JobState> {
  return waitForJob(stack.edgeUrl, jobId, isSettled, timeoutMs);
}

/** Completed, every chunk's audio stored, and the whole WAV byte-exact. */
export async function expectCompletedExact(stack: ChaosStack, jobId: string, n: number): Promise<ChunkInfo[]> {
  const state = await jobState(stack.edgeUrl, jobId, true);
  expect(state.status, state.errorMessage ?? '').toBe('completed');
  expect(state.counts).toEqual({ pending: 0, processing: 0, completed: n, failed: 0 });
  const chunks = expectPlannedChunks(state, n);
  const audio = await verifyJobAudio(stack.edgeUrl, jobId, chunks);
  expect(audio.chunks).toBe(n);
  return chunks;
}

/** The kinds of each chunk's last error, counted. */
export function histogramOfErrors(chunks: readonly ChunkInfo[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const c of chunks) {
    if (!c.lastError) continue;
    const kind = /status (\d+)/.exec(c.lastError)?.[1] ?? c.lastError.split(':')[0]!;
    h[kind] = (h[kind] ?? 0) + 1;
  }
  return h;
}
