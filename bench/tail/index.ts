// A Tail Worker for benchmarks only: forwards each invocation's CPU and wall
// time (TraceItem.cpuTime / wallTime) of the orchestrator and backend Workers
// to a collector on 127.0.0.1, so the bench can report per-invocation CPU.
interface TailEnv {
  COLLECTOR_URL: string;
}

export default {
  async tail(events: TraceItem[], env: TailEnv): Promise<void> {
    const rows = events.map((e) => ({
      script: e.scriptName,
      cpuTime: e.cpuTime ?? null,
      wallTime: e.wallTime ?? null,
      kind: e.event ? Object.keys(e.event).join(',') || 'rpc' : 'unknown',
      entrypoint: e.entrypoint ?? null,
      outcome: e.outcome,
    }));
    await fetch(env.COLLECTOR_URL, { method: 'POST', body: JSON.stringify(rows) });
  },
};
