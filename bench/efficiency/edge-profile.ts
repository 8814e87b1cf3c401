// The edge side of the efficiency table, on a stack of its own with the bench
// Tail Worker (exact invocation counts) and CPU profiles of every Worker isolate
// through workerd's inspector: CPU per invocation by Worker and Durable
// Object, and RouterCounter's request rate with 10 jobs at once.
import { startBenchStack } from '../compare/setup.ts';
import { jobStats, streamJob, type JobStats } from '../compare/lector-client.ts';
import { countInvocations, startTraceCollector, type InvocationCounts, type TraceRow } from '../compare/traces.ts';
import { WARM_UP_TEXT } from '../compare/setup.ts';
import { InspectorSession, workerdTargets, wranglerProxyUrl, type CpuProfile } from '../profile/inspector.ts';
import { processesInGroups } from '../compare/proc.ts';
import { summarizeProfile, type ProfileSummary } from '../profile/analyze.ts';
import { attributeBursts, type EntrypointCpu } from './attribute.ts';

export interface IsolateProfile {
  /** The Worker's name (the inspector target's title). */
  worker: string;
  summary: ProfileSummary;
  /** Busy time and bursts by the Worker or Durable Object class they ran for. */
  byEntrypoint: EntrypointCpu[];
}

export interface EdgeProfileRun {
  counts: InvocationCounts;
  stats: JobStats;
  chunks: number;
  isolates: IsolateProfile[];
  /** Why no profile was taken, when none was. */
  profileError?: string;
  /** RouterCounter invocations per second while `concurrentJobs` jobs ran at once, and what it took. */
  router: { concurrentJobs: number; requests: number; seconds: number; chunks: number; perSecond: number };
}

/** The first Worker of the session: under wrangler dev, wrangler's inspector proxy holds its one inspector session. */
const ORCHESTRATOR = 'lector-orchestrator';

const settle = () => new Promise((r) => setTimeout(r, 2000)); // the last traces arrive in batches

export async function profileEdge(text: string, workers: number, concurrentTexts: readonly string[]): Promise<EdgeProfileRun> {
  const traces = await startTraceCollector();
  const { stack } = await startBenchStack(workers, { tailCollectorUrl: traces.url });
  const sessions: { worker: string; session: InspectorSession }[] = [];
  let profileError: string | undefined;
  try {
    await streamJob(stack.edgeUrl, WARM_UP_TEXT);
    try {
      // The Tail Worker's own isolate stays out: it exists only in the bench.
      // The Tail Worker and miniflare's own Workers stay out: they exist only locally.
      const procs = processesInGroups([stack.edge.pid]);
      const proxy = wranglerProxyUrl(procs);
      for (const t of await workerdTargets(procs)) {
        if (/tail|^miniflare/.test(t.title)) continue;
        const viaProxy = proxy !== undefined && t.title === ORCHESTRATOR;
        const url = viaProxy ? proxy : t.webSocketDebuggerUrl;
        sessions.push({ worker: t.title, session: await InspectorSession.open(url, viaProxy ? 'http://localhost' : undefined) });
      }
      if (sessions.length === 0) profileError = 'the inspector listed no Worker';
    } catch (e) {
      profileError = `inspector: ${String(e)}`;
    }
    await settle();
    traces.rows.length = 0;
    for (const s of sessions) await s.session.startProfile();
    const job = await streamJob(stack.edgeUrl, text);
    await settle();
    const profiles: CpuProfile[] = [];
    for (const s of sessions) profiles.push(await s.session.stopProfile());
    const counts = countInvocations(traces.rows);
    const stats = await jobStats(stack.edgeUrl, job.jobId);
    const isolates = sessions.map((s, i) => ({ worker: s.worker, summary: summarizeProfile(profiles[i]!), byEntrypoint: attributeBursts(profiles[i]!, counts) }));
    // BENCH_PROFILE_TOP=N prints each isolate's N heaviest functions (self time) to stderr.
    const top = Number(process.env.BENCH_PROFILE_TOP ?? 0);
    if (top > 0) {
      for (const iso of isolates) {
        console.error(`profile ${iso.worker}: busy ${iso.summary.busyMs.toFixed(0)} ms, top ${top} by self time (ms):`);
        for (const [name, ms] of iso.summary.self.slice(0, top)) console.error(`  ${ms.toFixed(1).padStart(8)}  ${name}`);
        console.error(`profile ${iso.worker}: top ${top} inclusive (ms):`);
        for (const [name, ms] of iso.summary.inclusive.slice(0, top)) console.error(`  ${ms.toFixed(1).padStart(8)}  ${name}`);
      }
    }

    // RouterCounter under 10 jobs at once.
    traces.rows.length = 0;
    const t0 = performance.now();
    const jobs = await Promise.all(concurrentTexts.map((t) => streamJob(stack.edgeUrl, t)));
    const seconds = (performance.now() - t0) / 1000;
    await settle();
    const routerRows: TraceRow[] = traces.rows.filter((r) => r.entrypoint === 'RouterCounter');
    const router = {
      concurrentJobs: concurrentTexts.length,
      requests: routerRows.length,
      seconds,
      chunks: jobs.reduce((a, j) => a + j.total, 0),
      perSecond: routerRows.length / seconds,
    };
    const out: EdgeProfileRun = { counts, stats, chunks: job.total, isolates, router };
    if (profileError) out.profileError = profileError;
    return out;
  } finally {
    for (const s of sessions) s.session.close();
    await stack.stop();
    await traces.close();
  }
}
