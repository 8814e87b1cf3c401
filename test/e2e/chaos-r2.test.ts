// Chaos scenario f (issue 6 §1): the backend's R2 writes fail 20% of the time
// (a test hook, LECTOR_TEST_FAULTS=1): each failed chunk is synthesized again,
// and no chunk counts as done without its object; the job ends byte-exact.
// Split from chaos.test.ts; same job text and size (test/chaos/scenario.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsPerChunk, chunksOf, createJob, histogram, isSettled, jobState, sleep, startChaosStack, type ChaosStack } from '../chaos/harness.ts';
import { R2_FAULT_VARS } from '../chaos/r2-fault-hook.ts';
import { RunReport, seconds } from '../chaos/report.ts';
import { cfg, expectCompletedExact, JOB_OPTIONS, JOB_TIMEOUT_MS, slice } from '../chaos/scenario.ts';

const report = new RunReport('chaos-r2', { targetChunks: cfg.chunks, maxChunkChars: cfg.maxChunkChars, textChars: slice.text.length, full: cfg.full, outageMs: cfg.outageMs });

describe('chaos: R2 writes fail (backend hook)', () => {
  let stack: ChaosStack | undefined;
  beforeAll(async () => {
    stack = await startChaosStack({
      orchestratorVars: { JOB_MAX_ATTEMPTS: '10' },
      backendVars: { [R2_FAULT_VARS.enable]: '1', [R2_FAULT_VARS.rate]: '0.2' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    'f: 20% of R2 writes fail: the chunk is retried, and no chunk counts as done without its object',
    async () => {
      const s = stack!;
      const started = Date.now();
      const job = await createJob(s.edgeUrl, slice.text, JOB_OPTIONS);
      const N = job.totalSentences;
      expect(N).toBeGreaterThan(0);
      // While it runs, each chunk must have its object as soon as it counts as completed.
      const checked = new Set<number>();
      const missing: number[] = [];
      const deadline = Date.now() + JOB_TIMEOUT_MS;
      for (;;) {
        expect(Date.now(), 'job f settled before its deadline').toBeLessThan(deadline);
        const state = await jobState(s.edgeUrl, job.jobId, true);
        for (const c of chunksOf(state).filter((x) => x.status === 'completed' && !checked.has(x.index))) {
          const res = await fetch(`${s.edgeUrl}/api/tts/${job.jobId}/chunks/${c.index}`);
          await res.arrayBuffer();
          checked.add(c.index);
          if (res.status !== 200) missing.push(c.index);
        }
        if (isSettled(state)) break;
        await sleep(500);
      }
      expect(missing, 'completed chunks without their R2 object').toEqual([]);
      const chunks = await expectCompletedExact(s, job.jobId, N);
      const storageFailures = chunks.filter((c) => c.lastError?.startsWith('storage_failed'));
      const calls = callsPerChunk(s.proxy, job.jobId, N);
      report.record('f_r2_write_faults', {
        durationS: seconds(Date.now() - started),
        chunksWithR2Failure: storageFailures.length,
        objectChecks: checked.size,
        synthCallsPerChunk: histogram(calls),
      });
      expect(storageFailures.length).toBeGreaterThan(0);
      // A failed write means the chunk was synthesized again.
      for (const c of storageFailures) expect(calls[c.index]).toBeGreaterThanOrEqual(2);
    },
    JOB_TIMEOUT_MS,
  );
});
