// The contract scenario f needs from the backend Worker (on main since f9a8177,
// src/edge/backend/synthesizeChunk.ts; see docs/chaos.md):
//
//   backend vars  LECTOR_TEST_FAULTS = "1"        enables fault hooks; anything else ignores them
//                 FAULT_R2_WRITE_RATE = "0.2"     fraction of chunk PUTs to R2 that fail
//
// A failed write behaves exactly like `TTS_AUDIO_BUCKET.put` throwing: no object
// is written, and the chunk fails with `storage_failed` (status 503, retryable),
// so the job retries it and never marks it completed without its object.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';

export const R2_FAULT_VARS = { enable: 'LECTOR_TEST_FAULTS', rate: 'FAULT_R2_WRITE_RATE' } as const;

/** True when some backend Worker source honours FAULT_R2_WRITE_RATE. */
export function hasR2FaultHook(): boolean {
  const dir = join(REPO_ROOT, 'src/edge/backend');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return files.some((f) => readFileSync(join(dir, f), 'utf8').includes(R2_FAULT_VARS.rate));
}
