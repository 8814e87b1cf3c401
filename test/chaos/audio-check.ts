// Byte-exact audio checks: a job's WAV (whole, or the finished prefix of an
// unfinished job) against eSpeak NG's direct synthesis of its chunks with the
// designed pauses (test/support/expected-audio.ts). Expected PCM is memoized
// per chunk list: the chaos scenarios share one text, the load run a few.
import { parseWav } from '../../src/core/audio/wav.ts';
import type { ChunkInfo } from '../../src/core/api/types.ts';
import { expectedJobPcm, type ExpectedChunk } from '../support/expected-audio.ts';
import { fetchIdempotent } from '../support/http.ts';

const memo = new Map<string, Promise<Buffer>>();

/** expectedJobPcm, computed once per distinct chunk list. */
export function expectedPcm(chunks: readonly ExpectedChunk[]): Promise<Buffer> {
  const key = JSON.stringify(chunks.map((c) => [c.text, c.paragraphStart]));
  let p = memo.get(key);
  if (!p) {
    p = expectedJobPcm(chunks);
    memo.set(key, p);
    p.catch(() => memo.delete(key));
  }
  return p;
}

export interface AudioCheck {
  /** Chunks in the WAV (x-lector-chunks). */
  chunks: number;
  /** PCM bytes compared. */
  pcmBytes: number;
}

/**
 * Downloads `/api/tts/{jobId}/audio` (with `?partial=1` when `partial`) and
 * throws unless its PCM equals the expected PCM of the first N chunks, N being
 * the chunk count the edge says it put in the file.
 */
export async function verifyJobAudio(edgeUrl: string, jobId: string, chunks: readonly Pick<ChunkInfo, 'text' | 'paragraphStart'>[], partial = false): Promise<AudioCheck> {
  const res = await fetchIdempotent(`${edgeUrl}/api/tts/${jobId}/audio${partial ? '?partial=1' : ''}`);
  if (res.status !== 200) throw new Error(`GET audio of ${jobId} answered ${res.status}: ${await res.text()}`);
  const n = Number(res.headers.get('x-lector-chunks'));
  const wav = parseWav(new Uint8Array(await res.arrayBuffer()));
  if (!partial && n !== chunks.length) throw new Error(`audio of ${jobId} has ${n} chunks, expected ${chunks.length}`);
  const expected = await expectedPcm(chunks.slice(0, n).map((c) => ({ text: c.text, paragraphStart: c.paragraphStart })));
  const got = Buffer.from(wav.pcm.buffer, wav.pcm.byteOffset, wav.pcm.byteLength);
  if (!got.equals(expected)) {
    let at = 0;
    while (at < Math.min(got.length, expected.length) && got[at] === expected[at]) at++;
    throw new Error(`audio of ${jobId}: ${got.length} PCM bytes, expected ${expected.length}; first difference at byte ${at}`);
  }
  return { chunks: n, pcmBytes: got.length };
}
