// One round of the side-by-side benchmarks (compare, efficiency) on one text:
// the Lector job, Echogarden, and the engine alone per chunk and on the whole
// text. The phases alternate order from round to round (A B C D, D C B A, ...)
// so load from elsewhere on the machine falls on each alike; the engine phases
// time a JIT-warm engine (warmEngineOn).
import { timeEngine, timeEnginePerChunk, warmEngineOn, type EngineTiming } from './engine.ts';
import { jobChunkTexts, streamJob } from './lector-client.ts';
import { runPeer, type PeerReady, type PeerRun } from './peer.ts';
import type { LectorRun } from './run.ts';

export interface Round {
  lector: LectorRun;
  perChunk: EngineTiming;
  whole: EngineTiming;
  peer: PeerRun | undefined;
}

export interface RoundPlan {
  /** The round's number from 0: odd rounds run the phases in reverse. */
  index: number;
  edgeUrl: string;
  text: string;
  peerReady: PeerReady;
  /** The Lector phase (what a wrangler dev reload mid-job means is the caller's to decide). */
  lector: () => Promise<LectorRun>;
  /**
   * The texts of the job's chunks, kept across rounds: the Lector phase fills it
   * from its job; when the engine goes first, a job of its own does.
   */
  chunks: string[];
}

export async function runRound(plan: RoundPlan): Promise<Round> {
  const { edgeUrl, text, chunks } = plan;
  const round: Partial<Round> = {};
  const phases: (() => Promise<void>)[] = [
    async () => void (round.lector = await plan.lector()),
    async () => void (round.peer = plan.peerReady.ok ? await runPeer(text) : undefined),
    async () => {
      if (chunks.length === 0) chunks.push(...(await jobChunkTexts(edgeUrl, (await streamJob(edgeUrl, text)).jobId)));
      await warmEngineOn(text);
      round.perChunk = await timeEnginePerChunk(chunks);
    },
    async () => {
      await warmEngineOn(text);
      round.whole = await timeEngine(text);
    },
  ];
  if (plan.index % 2 === 1) phases.reverse();
  for (const phase of phases) await phase();
  return round as Round;
}
