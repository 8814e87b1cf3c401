// The shapes of one job's rows (SQLite `job` and `chunk`, see schema.ts) and of
// what goes in and out of them.
import type { ChunkStatus, JobStatus, SplittingPreference, WordTiming } from '../../../core/api/types.ts';

export interface JobRow {
  job_id: string;
  status: JobStatus;
  voice_id: string;
  model: string | null;
  splitting: SplittingPreference;
  total: number;
  current_index: number;
  processed_count: number;
  failed_count: number;
  text_chars: number;
  overall_timeout_ms: number;
  concurrency: number;
  max_attempts: number;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
  completion_seq: number;
  owner_key: string | null;
  pages: number;
  split_page: number;
  max_tokens: number | null;
  timeout_override_ms: number | null;
  /** Most characters per chunk, from the voice's provider (null: the splitter's own limit). */
  max_chars: number | null;
  /** Largest grown chunk (null: DEFAULT_GROWN_CHARS; 0: chunks never grow, as before issue 12). */
  grow_chars: number | null;
  /** 1 while pages or EPUB sections are still to be split: the job cannot complete yet. */
  input_open: number;
  /** Job speed (docs/voice-control.md); 1 when not set. */
  speed: number;
  /** The job's lexicon entries as JSON, or null. */
  lexicon: string | null;
  /** `ssml` for SSML jobs, else null. */
  input_format: string | null;
}

export interface ChunkRow {
  idx: number;
  text: string;
  char_count: number;
  paragraph_start: number;
  status: ChunkStatus;
  attempts: number;
  lease_expires_at: number | null;
  not_before: number;
  timeout_ms: number;
  r2_key: string | null;
  mime_type: string | null;
  bytes: number | null;
  duration_ms: number | null;
  words: string | null;
  last_error: string | null;
  last_error_at: number | null;
  completed_seq: number | null;
  /** Grows by one with every lease of this chunk: the token a call's answer must match. */
  lease_token: number;
  /** What the engine reads, only where it differs from `text` (lexicon, SSML sub/say-as). */
  speak: string | null;
  /** Silence before this chunk from SSML `break`, in place of the designed pause. */
  pause_before_ms: number | null;
  /** Speed of this chunk when not 1 (job speed × SSML prosody rate). */
  speed: number | null;
}

export interface NewChunk {
  text: string;
  charCount: number;
  paragraphStart: boolean;
  timeoutMs: number;
  speak?: string;
  pauseBeforeMs?: number;
  speed?: number;
}

export interface NewJob {
  jobId: string;
  voiceId: string;
  model: string | null;
  splitting: SplittingPreference;
  textChars: number;
  overallTimeoutMs: number;
  concurrency: number;
  maxAttempts: number;
  now: number;
  expiresAt: number;
  ownerKeyId: string | null;
  maxTokens: number | null;
  timeoutOverrideMs: number | null;
  maxChars: number | null;
  growChars?: number | null;
  speed?: number;
  lexicon?: string | null;
  inputFormat?: string | null;
}

export interface SourcePage {
  page: number;
  text: string;
  continuesParagraph: boolean;
}

export interface ChunkLease {
  index: number;
  /** What the engine reads (the chunk's `speak`, else its text). */
  text: string;
  /** The shown text, when the engine reads something else (its word timings are mapped back to it). */
  shown?: string;
  speed?: number;
  attempt: number;
  timeoutMs: number;
  /** This lease's token: only an answer carrying it may complete, retry or fail the chunk. */
  token: number;
}

export interface Completion {
  r2Key: string;
  mimeType: string;
  bytes: number;
  durationMs: number | null;
  words?: WordTiming[];
}
