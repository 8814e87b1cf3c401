// The e2e files' shared stacks (test/setup/shared-stack.ts): a stack's URLs,
// asked for in a file's beforeAll (the first file to ask starts it), and the
// synthesis requests of one job as the counting proxy in front of the service
// saw them. Files on a shared stack never stop, restart or reconfigure it, and
// each uses its own jobs (and, on the keyed stack, its own keys).
import { inject } from 'vitest';
import type { SharedStackName, SharedStackUrls } from '../setup/shared-stack.ts';

export { SHARED_KEYS } from '../setup/shared-stack.ts';

export interface SharedStack extends SharedStackUrls {
  /** Synthesis requests the backend sent for `jobId`, in all and per chunk index. */
  synthRequests(jobId: string): Promise<{ total: number; byChunk: Map<number, number> }>;
}

export async function sharedStack(name: SharedStackName = 'default'): Promise<SharedStack> {
  const res = await fetch(`${inject('sharedStackControl')}/stack/${name}`);
  if (!res.ok) throw new Error(await res.text());
  const urls = (await res.json()) as SharedStackUrls;
  return {
    ...urls,
    async synthRequests(jobId) {
      const counts = (await (await fetch(`${urls.proxyUrl}/__counts`)).json()) as { byJob: Record<string, number>; byChunk: Record<string, number> };
      const byChunk = new Map<number, number>();
      for (const [key, n] of Object.entries(counts.byChunk)) {
        const [job, index] = key.split('/');
        if (job === jobId) byChunk.set(Number(index), n);
      }
      return { total: counts.byJob[jobId] ?? 0, byChunk };
    },
  };
}
