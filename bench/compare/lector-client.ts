// Drives one Lector job the way a listener does: POST /api/tts-stream, read
// the event stream, which carries the first chunk's audio in its event as the
// page asks for it (`inline: 'first'`), or else fetch that audio as soon as it
// is announced. Times every step from the moment the request is sent.
import type { ChunkEventData, JobEventData, JobState } from '../../src/core/api/types.ts';
import { SseParser, type SseEvent } from '../../src/core/sse.ts';
import type { ServiceStatus } from '../../src/synth/types.ts';

export interface StreamedJob {
  jobId: string;
  /** Chunks in the job (from `event: job`). */
  total: number;
  /** Request sent → `event: job` received (the job exists). */
  jobEventMs: number;
  /** Request sent → first `event: message` received. */
  firstMessageMs: number;
  /** Request sent → the first chunk's audio at hand (its event with the audio inside, or the first body byte of a GET of its url): time to first audio. */
  firstAudioByteMs: number;
  /** Request sent → `event: end` received: every chunk is synthesized and stored. Infinity when `stopAfterFirstAudio`. */
  endMs: number;
  /** Chunk 0's event data. */
  firstChunk: ChunkEventData;
  /** Chunk messages seen. */
  messages: number;
  /** Sum of the announced chunks' durations (ms of audio). */
  audioMs: number;
  /** Request sent → each chunk message, in arrival order. */
  messageAtMs: number[];
  /** Times the event stream dropped and was resumed with Last-Event-ID. */
  reconnects: number;
}

export interface StreamJobOptions {
  voiceId?: string;
  /** Fetch chunk 0's audio with a GET after its event instead of taking it inside the event (the path before `inline: 'first'`). */
  getFirstChunk?: boolean;
  /** Stop reading once the first audio byte has arrived (the job goes on unless deleted). */
  stopAfterFirstAudio?: boolean;
  /** Gives up after this long. Default 30 minutes. */
  timeoutMs?: number;
}

/** Time from `t0` to the first body byte of `url`; the rest of the body is read and dropped. */
async function firstByte(url: string, t0: number): Promise<number> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  const reader = res.body.getReader();
  let at = NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (Number.isNaN(at) && value.byteLength > 0) at = performance.now() - t0;
  }
  return at;
}

export async function streamJob(edgeUrl: string, text: string, opts: StreamJobOptions = {}): Promise<StreamedJob> {
  const body: Record<string, unknown> = { text };
  if (!opts.getFirstChunk) body.inline = 'first';
  if (opts.voiceId) body.voiceId = opts.voiceId;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 30 * 60_000);
  const t0 = performance.now();
  let res = await fetch(`${edgeUrl}/api/tts-stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  if (!res.ok || !res.body) throw new Error(`POST /api/tts-stream answered ${res.status}: ${await res.text()}`);
  const jobId = res.headers.get('x-lector-job-id');
  const parser = new SseParser();
  let job: JobEventData | undefined;
  let jobEventMs = NaN;
  let firstMessageMs = NaN;
  let firstChunk: ChunkEventData | undefined;
  let audio: Promise<number> | undefined;
  let messages = 0;
  let audioMs = 0;
  let reconnects = 0;
  const messageAtMs: number[] = [];
  const handle = (ev: SseEvent): 'end' | undefined => {
    if (ev.event === 'job') {
      if (!job) jobEventMs = performance.now() - t0;
      job = JSON.parse(ev.data) as JobEventData;
    } else if (ev.event === 'message') {
      messages++;
      messageAtMs.push(performance.now() - t0);
      const chunk = JSON.parse(ev.data) as ChunkEventData;
      audioMs += chunk.durationMs ?? 0;
      if (!firstChunk) {
        firstMessageMs = performance.now() - t0;
        firstChunk = chunk;
        audio = chunk.audioChunk ? Promise.resolve(firstMessageMs) : firstByte(new URL(chunk.url, edgeUrl).href, t0);
      }
    } else if (ev.event === 'error') {
      throw new Error(`job failed: ${ev.data}`);
    } else if (ev.event === 'end') {
      return 'end';
    }
    return undefined;
  };
  let endMs = Infinity;
  for (;;) {
    // Reads one connection; a dropped one (wrangler dev reloads when a source file changes,
    // which restarts the job's object) is resumed with Last-Event-ID, as the CLI and the page do.
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let dropped: unknown;
    try {
      reading: for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          dropped = new Error('event stream closed before event: end');
          break;
        }
        for (const ev of parser.push(value)) {
          if (handle(ev) === 'end') {
            endMs = performance.now() - t0;
            break reading;
          }
          if (opts.stopAfterFirstAudio && audio) break reading;
        }
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('job failed')) throw e;
      dropped = e;
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    if (dropped === undefined) break;
    if (!jobId || reconnects >= MAX_RECONNECTS || signal.aborted) throw new Error(`event stream lost after ${reconnects} reconnects: ${String(dropped)}`);
    reconnects++;
    await new Promise((r) => setTimeout(r, 500));
    const headers: Record<string, string> = {};
    if (parser.lastEventId !== undefined) headers['last-event-id'] = parser.lastEventId;
    res = await fetch(`${edgeUrl}/api/tts/${jobId}/events`, { headers, signal }).catch((e: unknown) => {
      throw new Error(`reconnecting to job ${jobId}: ${String(e)}`);
    });
    if (!res.ok || !res.body) throw new Error(`GET events of job ${jobId} answered ${res.status}: ${await res.text()}`);
  }
  if (!job || !firstChunk || !audio) throw new Error('the stream closed without a job or a first chunk');
  return { jobId: job.jobId, total: job.total, jobEventMs, firstMessageMs, firstAudioByteMs: await audio, endMs, firstChunk, messages, audioMs, messageAtMs, reconnects };
}

/** Reconnects allowed per job before the benchmark gives up. */
const MAX_RECONNECTS = 20;

/** Deletes a job (state and audio); a running job stops taking new chunks. */
export async function deleteJob(edgeUrl: string, jobId: string): Promise<void> {
  const res = await fetch(`${edgeUrl}/api/tts/${jobId}`, { method: 'DELETE' });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`DELETE job ${jobId} answered ${res.status}`);
}

/** The job Durable Object's counters (since its instance started). */
export interface JobStats {
  alarms: number;
  backendCalls: number;
  rowsWritten: number;
}

export async function jobStats(edgeUrl: string, jobId: string): Promise<JobStats> {
  const res = await fetch(`${edgeUrl}/api/tts/${jobId}/stats`);
  if (!res.ok) throw new Error(`GET stats answered ${res.status}`);
  return (await res.json()) as JobStats;
}

/** Waits until the synthesis service has nothing queued or in flight (after a deleted job's last chunks). */
export async function waitSynthIdle(synthUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await synthStatus(synthUrl);
    const busy = status.workers.some((w) => w.inFlight > 0 || w.state === 'BUSY');
    if (!busy && status.queue.depth === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`synthesis service still busy after ${timeoutMs} ms`);
}

export async function synthStatus(synthUrl: string): Promise<ServiceStatus> {
  const res = await fetch(`${synthUrl}/status`);
  if (!res.ok) throw new Error(`synthesis service /status answered ${res.status}`);
  return (await res.json()) as ServiceStatus;
}

/** The texts of a job's chunks, in order: exactly what the job synthesized. */
export async function jobChunkTexts(edgeUrl: string, jobId: string): Promise<string[]> {
  const res = await fetch(`${edgeUrl}/api/tts/${jobId}?include=chunks`);
  if (!res.ok) throw new Error(`GET job ${jobId} answered ${res.status}`);
  const state = (await res.json()) as JobState;
  if (!state.chunks || state.chunks.length !== state.totalSentences) throw new Error(`job ${jobId}: chunk list incomplete`);
  return state.chunks.map((c) => c.text);
}
