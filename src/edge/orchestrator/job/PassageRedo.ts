// Redoing a passage: one chunk of a running or finished job gets new text and
// goes back to the queue with a fresh lease token, so only that chunk is
// synthesized again (docs/voice-control.md). Its audio key stays the same: the
// new audio overwrites the old, and the old is never served meanwhile because
// every audio route serves completed chunks only.
import { LectorError } from '../../../core/errors.ts';
import { planTextChunks } from '../../../core/speech-plan.ts';
import { getTextCharacterCount } from '../../../core/text/count.ts';
import { DEFAULT_GROWN_CHARS, PARAGRAPH_BREAK } from '../../../core/chunking.ts';
import { chunkTimeoutMs } from '../../../core/timeouts.ts';
import { HAS_SPEAKABLE, voiceOf } from './chunkPlan.ts';
import type { JobStore } from './JobStore.ts';

/** Longest replacement text, in characters (a request body is small; the provider's limit may be lower). */
export const MAX_REDO_TEXT_CHARS = DEFAULT_GROWN_CHARS;

export interface RedoneChunk {
  jobId: string;
  index: number;
  text: string;
  status: 'pending';
}

/** Checks a redo request's body: `{ "text": string }` with something to speak. */
export function parseRedoText(body: unknown): string {
  const text = typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
  if (typeof text !== 'string') throw new LectorError('validation_failed', 400, 'text: send { "text": "..." }', { details: { field: 'text' } });
  // A grown chunk may hold paragraphs: a blank line stays a paragraph break, other whitespace one space.
  const clean = text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p !== '').join(PARAGRAPH_BREAK);
  if (!HAS_SPEAKABLE.test(clean)) throw new LectorError('empty_text', 400, 'text has nothing to speak');
  return clean;
}

/**
 * Puts chunk `index` back to pending with `text`. Throws LectorError: 404 `job_not_found` /
 * `chunk_not_found`, 409 `job_not_redoable` (failed or cancelled job) / `chunk_busy` (a call
 * for it is in flight: its late answer could overwrite the new audio), 413 `chunk_too_long`.
 */
export function redoChunk(store: JobStore, sql: SqlStorage, index: number, text: string, now: number): RedoneChunk {
  const job = store.job();
  if (!job) throw new LectorError('job_not_found', 404, 'no such job');
  if (job.status === 'failed' || job.status === 'cancelled') {
    throw new LectorError('job_not_redoable', 409, `job is ${job.status}; only running or completed jobs can redo a passage`);
  }
  const row = store.chunk(index);
  if (!row) throw new LectorError('chunk_not_found', 404, `job has no chunk ${index} (it has ${job.total})`, { details: { total: job.total } });
  if (row.status === 'processing') throw new LectorError('chunk_busy', 409, `chunk ${index} is being synthesized; try again when it is done`);
  const limit = Math.min(job.max_chars ?? MAX_REDO_TEXT_CHARS, MAX_REDO_TEXT_CHARS);
  const charCount = getTextCharacterCount(text);
  if (charCount > limit) throw new LectorError('chunk_too_long', 413, `text has ${charCount} characters; a chunk of this job takes at most ${limit}`, { details: { max: limit } });
  // The job's lexicon applies to the new text too; its speed stays the chunk's own.
  const voice = voiceOf(job);
  const speak = voice ? planTextChunks([{ text, paragraphStart: row.paragraph_start === 1 }], { lexicon: voice.lexicon, phonemes: voice.phonemes }).at(0)?.speak : undefined;
  const timeoutMs = job.timeout_override_ms ?? chunkTimeoutMs(Math.max(charCount, getTextCharacterCount(speak ?? text)));
  sql.exec(
    `UPDATE chunk SET text = ?, speak = ?, char_count = ?, timeout_ms = ?, status = 'pending', attempts = 0, not_before = 0,
       lease_expires_at = NULL, lease_token = lease_token + 1, completed_seq = NULL, last_error = NULL, last_error_at = NULL
     WHERE idx = ?`,
    text, speak ?? null, charCount, timeoutMs, index,
  );
  sql.exec(
    `UPDATE job SET processed_count = processed_count - ?, failed_count = failed_count - ?, updated_at = ?,
       overall_timeout_ms = MAX(overall_timeout_ms, ?),
       status = CASE WHEN status = 'completed' THEN 'processing' ELSE status END
     WHERE id = 1`,
    row.status === 'completed' ? 1 : 0, row.status === 'failed' ? 1 : 0, now, timeoutMs,
  );
  return { jobId: job.job_id, index, text, status: 'pending' };
}
