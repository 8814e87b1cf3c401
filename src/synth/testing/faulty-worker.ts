// The real engine worker with faults injected from the environment, for tests
// with real processes:
//   LECTOR_FAULT_FILE=path     while the file exists, every synthesis fails (retryable)
//   LECTOR_FAULT_GARBAGE=1     prints junk lines and partial lines around every frame
//   LECTOR_FAULT_SPLIT=n       writes each frame in n-byte pieces (partial writes)

import { existsSync } from 'node:fs';
import { EngineError } from '../engines/engine.ts';
import { runWorker } from '../worker/main.ts';

const faultFile = process.env.LECTOR_FAULT_FILE;
const garbage = process.env.LECTOR_FAULT_GARBAGE === '1';
const split = Number(process.env.LECTOR_FAULT_SPLIT ?? 0);

if (garbage || split > 0) {
  const write = process.stdout.write.bind(process.stdout) as (chunk: Uint8Array | string) => boolean;
  let n = 0;
  // The worker writes a binary frame as several writes between cork() and uncork(): one frame, like one write.
  let corked: Buffer[] | null = null;
  process.stdout.cork = () => void (corked = []);
  process.stdout.uncork = () => {
    const parts = corked ?? [];
    corked = null;
    process.stdout.write(Buffer.concat(parts));
  };
  process.stdout.write = ((chunk: Uint8Array | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    if (corked) {
      corked.push(bytes);
      return true;
    }
    if (garbage) write(`[debug] model loaded ${++n}\nprogress ${n}% `);
    if (split > 0) {
      for (let i = 0; i < bytes.length; i += split) write(bytes.subarray(i, i + split));
    } else {
      write(bytes);
    }
    if (garbage) write('{"status":"not a frame"}\n');
    return true;
  }) as typeof process.stdout.write;
}

runWorker({
  engines: (process.env.LECTOR_WORKER_ENGINES ?? 'espeak').split(','),
  beforeSynthesize: () => {
    if (faultFile && existsSync(faultFile)) throw new EngineError('engine_failed', 'injected fault');
  },
});
