// MP3 encoding on worker threads: LAME as WASM (lameWorker.ts) is about 2×
// cheaper per chunk than starting an ffmpeg process (bench: `npm run bench --
// encoders`), and threads keep it off the service's event loop. Threads start
// on first use and do not keep the process alive.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EncoderError } from './ffmpeg.ts';
import type { LameReply, LameRequest } from './lameWorker.ts';

interface Slot {
  worker: Worker;
  busy: number;
}

interface Pending {
  slot: Slot;
  resolve: (mp3: Uint8Array) => void;
  reject: (e: Error) => void;
}

class LamePool {
  private readonly workers: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly size = Math.max(1, Math.min(2, availableParallelism()));

  encode(pcm: Uint8Array, sampleRate: number, kbps: LameRequest['kbps'], signal?: AbortSignal): Promise<Uint8Array> {
    signal?.throwIfAborted();
    const slot = this.pick();
    const id = this.nextId++;
    // A copy the thread may own; the caller's PCM stays intact.
    const copy = pcm.slice().buffer;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { slot, resolve, reject });
      slot.busy++;
      slot.worker.postMessage({ id, pcm: copy, sampleRate, kbps } satisfies LameRequest, [copy]);
    }).finally(() => {
      slot.busy--;
    });
  }

  private pick(): Slot {
    const idle = this.workers.find((w) => w.busy === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./lameWorker.ts', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, busy: 0 };
    worker.on('message', (reply: LameReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(new EncoderError(`LAME: ${reply.error}`));
      else p.resolve(new Uint8Array(reply.mp3));
    });
    worker.on('error', (e) => {
      // A dead thread fails what it held; the next request starts a new one.
      this.workers.splice(this.workers.indexOf(slot), 1);
      for (const [id, p] of this.pending) {
        if (p.slot !== slot) continue;
        this.pending.delete(id);
        p.reject(new EncoderError(`LAME thread failed: ${e.message}`, { cause: e }));
      }
    });
    this.workers.push(slot);
    return slot;
  }
}

const pool = new LamePool();

/** CBR mono MP3 at `sampleRate` (raw frames), encoded on a worker thread. */
export function encodeMp3(pcm: Uint8Array, sampleRate: number, kbps: LameRequest['kbps'], signal?: AbortSignal): Promise<Uint8Array> {
  return pool.encode(pcm, sampleRate, kbps, signal);
}
