// Where workerd's CPU goes beyond the Workers' own JS: the 50,000-character job
// on a bench stack, with workerd's process CPU, and either a native profile of
// the whole workerd process (Linux `perf`, the default) or V8 profiles of the
// Workers' isolates (`ISOLATES=1`; not both: the V8 sampler's signals would be
// in the native profile). docs/benchmarks.md, Session 6.
//
//   node bench/profile/workerd-native.ts [perf.data]     then: perf report -i perf.data --no-children --sort sym
//   ISOLATES=1 node bench/profile/workerd-native.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { benchSlice } from '../compare/corpus.ts';
import { streamJob } from '../compare/lector-client.ts';
import { groupCpuMs, processesInGroups } from '../compare/proc.ts';
import { startBenchStack } from '../compare/setup.ts';
import { warmStack } from '../compare/warm.ts';
import { summarizeProfile } from './analyze.ts';
import { InspectorSession, workerdTargets } from './inspector.ts';

const out = process.argv[2] ?? 'workerd.perf.data';
const isolates = process.env.ISOLATES === '1';
const { stack } = await startBenchStack(2);
try {
  await warmStack(stack);
  const procs = processesInGroups([stack.edge.pid]);
  const sessions: { worker: string; session: InspectorSession }[] = [];
  if (isolates) {
    for (const t of await workerdTargets(procs)) sessions.push({ worker: t.title, session: await InspectorSession.open(t.webSocketDebuggerUrl) });
    for (const s of sessions) await s.session.startProfile();
  }
  const workerd = procs.find((p) => p.comm.includes('workerd'));
  if (!workerd) throw new Error('no workerd process in the edge group');
  const perf = isolates ? undefined : spawn('perf', ['record', '-F', '1999', '-g', '-p', String(workerd.pid), '-o', out], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 500)); // perf attaches
  const cpu0 = groupCpuMs(stack.edge.pid, 'workerd');
  const job = await streamJob(stack.edgeUrl, benchSlice().text);
  const cpuMs = groupCpuMs(stack.edge.pid, 'workerd') - cpu0;
  if (perf) {
    perf.kill('SIGINT');
    await once(perf, 'exit');
  }
  console.log(`job ${(job.endMs / 1000).toFixed(1)} s, ${job.total} chunks; workerd process CPU ${cpuMs.toFixed(0)} ms (${(cpuMs / job.total).toFixed(1)} ms per chunk)`);
  for (const s of sessions) {
    const summary = summarizeProfile(await s.session.stopProfile());
    console.log(`isolate ${s.worker}: busy ${summary.busyMs.toFixed(0)} ms; heaviest (self ms): ${summary.self.slice(0, 6).map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
  }
  if (perf) console.log(`native profile: ${out} (perf report -i ${out} --no-children --sort sym)`);
} finally {
  await stack.stop();
}
