// `npm run bench -- encoders`: each encoder's cost against eSpeak's synthesis
// of the same audio, per minute of audio, and file size per minute per format.
// Job-sized chunks (the job planner's chunks of the corpus slice) through the
// real synthesis service as PCM, then each format encoded the way the service
// does (src/synth/encoders), one chunk at a time; plus MP3 through an ffmpeg
// process and through WASM LAME on the event loop, the alternatives.

import { createMp3Encoder } from 'wasm-media-encoders';
import { planJobChunks } from '../src/core/chunking.ts';
import type { ResponseFormat } from '../src/core/openai/speech.ts';
import { encodeSpeech, FFMPEG_MP3_OUTPUT, MP3_KBPS } from '../src/synth/encoders/encode.ts';
import { runFfmpeg } from '../src/synth/encoders/ffmpeg.ts';
import { startSynthServer } from '../src/synth/server.ts';
import { readdirSync, readFileSync } from 'node:fs';
import type { BenchRow } from './compare/report.ts';

const CHUNKS = Number(process.env.BENCH_ENCODER_CHUNKS ?? 40);
const NOVEL = new URL('../test/fixtures/corpus/pride_and_prejudice.txt', import.meta.url);
const FIRST_SENTENCE = 'It is a truth universally acknowledged';
const FORMATS: ResponseFormat[] = ['mp3', 'opus', 'aac', 'flac', 'wav'];

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms (user + system) of `/proc/<pid>/stat`, plus its reaped children's when `children`. */
function statCpuMs(pid: number | 'self', children: boolean): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: 14 utime, 15 stime, 16 cutime, 17 cstime (1-based in proc(5)), here offset by 3.
  const own = Number(f[11]) + Number(f[12]);
  return (children ? Number(f[13]) + Number(f[14]) : own) * TICK_MS;
}

/** CPU ms of this process's live child processes (the engine workers). */
function liveChildrenCpuMs(): number {
  let sum = 0;
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
      try {
        sum += statCpuMs(Number(pid), false);
      } catch {
        // exited meanwhile
      }
    }
  }
  return sum;
}

export async function benchEncoders(): Promise<{ rows: BenchRow[] }> {
  const novel = readFileSync(NOVEL, 'utf8');
  const chunks = planJobChunks(novel.slice(novel.indexOf(FIRST_SENTENCE), novel.indexOf(FIRST_SENTENCE) + 50_000)).slice(0, CHUNKS);
  const server = await startSynthServer({ port: 0, manager: { workerPool: { minWorkers: 1, maxWorkers: 1 } }, deps: { log: () => {} } });
  const audio: { pcm: Uint8Array; sampleRate: number }[] = [];
  let synthWallMs = 0;
  let engineMs = 0;
  let engineCpuMs = 0;
  try {
    const cpu0 = liveChildrenCpuMs();
    for (const chunk of chunks) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: chunk.text, voice: 'espeak:en-us', response_format: 'pcm' }),
      });
      if (!res.ok) throw new Error(`synthesis answered ${res.status}: ${await res.text()}`);
      const pcm = new Uint8Array(await res.arrayBuffer());
      synthWallMs += performance.now() - t0;
      engineMs += Number(res.headers.get('x-lector-engine-ms'));
      audio.push({ pcm, sampleRate: Number(res.headers.get('x-sample-rate')) });
    }
    engineCpuMs = liveChildrenCpuMs() - cpu0;
  } finally {
    await server.close();
  }
  const minutes = audio.reduce((s, a) => s + a.pcm.byteLength / 2 / a.sampleRate, 0) / 60;
  const perMin = (ms: number) => ms / minutes;
  const rows: BenchRow[] = [
    { figure: `chunks (job planner, corpus slice)`, value: String(audio.length) },
    { figure: 'audio (min)', value: minutes.toFixed(2) },
    { figure: 'eSpeak engine time per minute of audio (ms)', value: perMin(engineMs).toFixed(0) },
    { figure: 'eSpeak engine worker CPU per minute of audio (ms)', value: perMin(engineCpuMs).toFixed(0) },
    { figure: 'synthesis request wall time per minute of audio (ms)', value: perMin(synthWallMs).toFixed(0) },
  ];
  for (const format of FORMATS) {
    let encodeMs = 0;
    let bytes = 0;
    const cpu0 = statCpuMs('self', true) + process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000;
    for (const a of audio) {
      const t0 = performance.now();
      const out = await encodeSpeech(a.pcm, a.sampleRate, format);
      encodeMs += performance.now() - t0;
      bytes += out.audio.byteLength;
    }
    // ffmpeg's CPU (reaped children) plus this process's (piping, parsing).
    const cpuMs = statCpuMs('self', true) + process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 - cpu0;
    rows.push(
      { figure: `${format}: encode wall time per minute of audio (ms)`, value: perMin(encodeMs).toFixed(0) },
      { figure: `${format}: encode CPU per minute of audio (ms)`, value: perMin(cpuMs).toFixed(0) },
      { figure: `${format}: encode CPU / engine CPU`, value: (cpuMs / engineCpuMs).toFixed(2) },
      { figure: `${format}: KB per minute of audio`, value: (bytes / 1024 / minutes).toFixed(0) },
    );
  }
  // The alternatives for MP3: LAME in an ffmpeg process per chunk, and LAME as WASM on the event loop.
  const ffCpu0 = statCpuMs('self', true) + process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000;
  for (const a of audio) await runFfmpeg({ pcm: a.pcm, sampleRate: a.sampleRate, output: FFMPEG_MP3_OUTPUT });
  const ffCpu = statCpuMs('self', true) + process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 - ffCpu0;
  rows.push({ figure: 'mp3 via ffmpeg libmp3lame (one process per chunk): CPU ms per minute of audio', value: perMin(ffCpu).toFixed(0) });
  const lame = await createMp3Encoder();
  let wasmMs = 0;
  const wasmCpu0 = process.cpuUsage();
  for (const a of audio) {
    const t0 = performance.now();
    const view = new DataView(a.pcm.buffer, a.pcm.byteOffset, a.pcm.byteLength);
    const f = new Float32Array(a.pcm.byteLength >> 1);
    for (let i = 0; i < f.length; i++) f[i] = view.getInt16(i * 2, true) / 32768;
    lame.configure({ sampleRate: a.sampleRate, channels: 1, bitrate: MP3_KBPS });
    lame.encode([f]);
    lame.finalize();
    wasmMs += performance.now() - t0;
  }
  const wasmCpu = process.cpuUsage(wasmCpu0);
  rows.push(
    { figure: 'mp3 via wasm-media-encoders (in-process, blocks the event loop): wall ms per minute of audio', value: perMin(wasmMs).toFixed(0) },
    { figure: 'mp3 via wasm-media-encoders: CPU ms per minute of audio', value: perMin((wasmCpu.user + wasmCpu.system) / 1000).toFixed(0) },
  );
  return { rows };
}
