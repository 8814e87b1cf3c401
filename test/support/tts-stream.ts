// One job through POST /api/tts-stream, read to its `end` event, for the stack
// tests that look at its chunks.
import { expect } from 'vitest';
import type { ChunkEventData, CreateJobRequest } from '../../src/core/api/types.ts';
import { readSse } from './sse-client.ts';

/** Streams a job of `request` to its end and returns its chunk events, in order. */
export async function streamChunks(edgeUrl: string, request: CreateJobRequest): Promise<ChunkEventData[]> {
  const res = await fetch(`${edgeUrl}/api/tts-stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(res.status).toBe(200);
  const events = await readSse(res);
  expect(events.at(-1)?.event).toBe('end');
  return events.filter((e) => e.event === 'message').map((m) => JSON.parse(m.data) as ChunkEventData);
}
