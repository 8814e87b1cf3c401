// The contract scenario f needs from the backend Worker (src/edge/backend/synthesizeChunk.ts,
// unit-tested in synthesizeChunk.test.ts; see docs/chaos.md):
//
//   backend vars  LECTOR_TEST_FAULTS = "1"        enables fault hooks; anything else ignores them
//                 FAULT_R2_WRITE_RATE = "0.2"     fraction of chunk PUTs to R2 that fail
//
// A failed write behaves exactly like `TTS_AUDIO_BUCKET.put` throwing: no object
// is written, and the chunk fails with `storage_failed` (status 503, retryable),
// so the job retries it and never marks it completed without its object.
export const R2_FAULT_VARS = { enable: 'LECTOR_TEST_FAULTS', rate: 'FAULT_R2_WRITE_RATE' } as const;
