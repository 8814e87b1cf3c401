// Reproduction for chaos scenario a, on the synthesis service alone: 4 clients
// keep requests in flight against an in-process service with 2 workers, first
// without faults, then while a random serving worker is SIGKILLed every ~2 s.
// Prints requests per second and the engine time of each worker's first
// requests (cold) against its later ones (warm).
//
//   npx node test/chaos/kill-churn.ts [seconds per phase, default 20]
import { startSynthServer } from '../../src/synth/server.ts';
import { chaosConfig } from './config.ts';
import { corpusSlice } from './corpus.ts';

const phaseMs = Number(process.argv[2] ?? 20) * 1000;
// The chunks of chaos scenario a's job.
const texts = corpusSlice(60, 0, chaosConfig().maxChunkChars).chunks.map((c) => c.text);

interface Phase {
  ok: number;
  failed: number;
  kills: number;
  /** Engine ms by the position of the request on its worker (0 = its first request). */
  engineMsByOrdinal: number[][];
}

async function phase(kill: boolean): Promise<Phase> {
  const server = await startSynthServer({ port: 0, manager: { workerPool: { minWorkers: 2, maxWorkers: 2 } } });
  const out: Phase = { ok: 0, failed: 0, kills: 0, engineMsByOrdinal: [] };
  const served = new Map<string, number>();
  const start = Date.now();
  const client = async (k: number): Promise<void> => {
    for (let i = k; Date.now() - start < phaseMs; i += 4) {
      const res = await fetch(`${server.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: texts[i % texts.length], voice: 'espeak:en-us' }),
      });
      await res.arrayBuffer();
      if (!res.ok) {
        out.failed++;
        continue;
      }
      out.ok++;
      const worker = res.headers.get('x-lector-worker') ?? '?';
      const ordinal = served.get(worker) ?? 0;
      served.set(worker, ordinal + 1);
      (out.engineMsByOrdinal[Math.min(ordinal, 5)] ??= []).push(Number(res.headers.get('x-lector-engine-ms')));
    }
  };
  const killer = async (): Promise<void> => {
    while (kill && Date.now() - start < phaseMs) {
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 1_000));
      const live = server.manager.getStatus().workers.filter((w) => w.pid && (w.state === 'READY' || w.state === 'BUSY'));
      const victim = live[Math.floor(Math.random() * live.length)];
      if (!victim?.pid) continue;
      try {
        process.kill(victim.pid, 'SIGKILL');
        out.kills++;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
  };
  await Promise.all([client(0), client(1), client(2), client(3), killer()]);
  await server.close();
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

for (const kill of [false, true]) {
  const p = await phase(kill);
  const perSecond = (p.ok / (phaseMs / 1000)).toFixed(2);
  const cold = p.engineMsByOrdinal.map((xs, i) => `#${i + 1}${i === 5 ? '+' : ''}: ${Math.round(median(xs))} ms (${xs.length})`).join(', ');
  console.log(`${kill ? 'kill every ~2 s' : 'no faults      '}  ${perSecond} requests/s, ${p.failed} failed, ${p.kills} kills; median engine time by request number on its worker: ${cold}`);
}
