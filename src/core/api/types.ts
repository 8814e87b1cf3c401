// The public HTTP API and the internal edge contracts, as types. Runtime-free:
// the orchestrator, the backend Worker, the web page and the CLI share them.

/** Smallest `maxChunkChars` other than 0: below it a chunk is about one short sentence anyway. */
export const MIN_MAX_CHUNK_CHARS = 100;

export type SplittingPreference = 'sentence' | 'tokenCount' | 'none';
export const SPLITTING_PREFERENCES: readonly SplittingPreference[] = ['sentence', 'tokenCount', 'none'];

export type JobStatus = 'initialized' | 'processing' | 'completed' | 'failed' | 'cancelled';
export type ChunkStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** Body of `POST /api/tts` and `POST /api/tts-stream`. */
export interface CreateJobRequest {
  text: string;
  voiceId?: string;
  splitting?: SplittingPreference;
  /** `tokenCount` splitting: whitespace tokens per chunk. */
  maxTokens?: number;
  /**
   * `sentence` splitting: most characters a chunk grows to after the first three (default 1,000, or the
   * provider's limit if lower). 0 keeps one paragraph per chunk (sentences merged up to 250 characters);
   * otherwise MIN_MAX_CHUNK_CHARS up to the voice's provider limit. Smaller chunks: finer progress, sooner
   * first chunks of each part, less repeated on a retry; more requests.
   */
  maxChunkChars?: number;
  /**
   * Stream events carry base64 audio (`audioChunk`) as in seed 001: `true` in every chunk's
   * event, `'first'` in chunk 0's only (its audio arrives with its event, no request after it).
   */
  inline?: boolean | 'first';
  /** Send chunk events in completion order instead of index order. */
  order?: 'index' | 'completion';
  /** How `text` is written (docs/documents.md): plain text (default), Markdown or HTML (chapters from headings), or SSML (docs/voice-control.md). */
  inputFormat?: InputFormat;
  /** Book metadata for the audiobook's tags. */
  title?: string;
  author?: string;
  /** The book as chapters instead of `text` (one of the two). */
  chapters?: { title: string; text: string }[];
  /** Which chapters to read: `1,3-5` (1-based, as the job's `chapters[].index`). */
  chapterSelection?: string;
  /** Audio format of the chunks and the assembled book (docs/audiobook.md). Default `wav` for JSON requests, `mp3` for uploaded documents. */
  audioFormat?: JobAudioFormat;
  /** Speed 0.25–4 (docs/voice-control.md). */
  speed?: number;
  /** Pronunciation lexicon (docs/voice-control.md): what the engine reads, never the shown text. */
  lexicon?: { match: string; say: string }[];
  /** Completion webhook (docs/webhooks-and-feeds.md): `job.completed`, `job.failed`, `job.cancelled` are POSTed, signed with `secret`. */
  webhook?: { url: string; secret: string };
}

export type InputFormat = 'text' | 'markdown' | 'html' | 'ssml';
export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'markdown', 'html', 'ssml'];

/** Formats a job's chunks and its assembled book are stored in. */
export type JobAudioFormat = 'wav' | 'mp3' | 'opus';
export const JOB_AUDIO_FORMATS: readonly JobAudioFormat[] = ['wav', 'mp3', 'opus'];
/** Formats chunks may be stored in: a job's, plus ADTS AAC for the long-form `/v1/audio/speech` stream (not assembled). */
export type ChunkAudioFormat = JobAudioFormat | 'aac';

/** A chapter of a job (chapter boundaries are chunk boundaries). */
export interface JobChapter {
  /** 1-based, the book's own chapter number (kept when chapters are selected). */
  index: number;
  title: string;
  firstChunk: number;
  chunkCount: number;
  /** Length of the chapter in the assembled book, once all its chunks are done. */
  durationMs: number | null;
}

/** The assembled audiobook of a job (GET /api/tts/{id}: `book`). */
export interface JobBook {
  format: JobAudioFormat;
  status: 'waiting' | 'assembling' | 'done' | 'failed';
  /** R2 object size of the whole-book file once done. */
  bytes: number | null;
  durationMs: number | null;
  links: { audio: string; chapters: string };
}

export interface JobLinks {
  self: string;
  events: string;
  audio: string;
  chunks: string;
}

/** 202 answer of `POST /api/tts`. */
export interface CreateJobResponse {
  jobId: string;
  status: JobStatus;
  totalSentences: number;
  overallOrchestratorTimeoutMs: number;
  links: JobLinks;
}

export interface WordTiming {
  /** The word as it appears in the chunk text. */
  text: string;
  /** Character offset of the word in the chunk text. */
  offset: number;
  startMs: number;
  endMs: number;
}

export interface ChunkInfo {
  index: number;
  text: string;
  status: ChunkStatus;
  attempts: number;
  paragraphStart: boolean;
  lastError: string | null;
  lastErrorAt: number | null;
  mimeType: string | null;
  bytes: number | null;
  durationMs: number | null;
  /** Word timings, when the engine gave them. */
  words?: WordTiming[];
  /** What the engine read, when it differs from `text` (lexicon, SSML; docs/voice-control.md). */
  speak?: string;
  /** Silence before this chunk from an SSML `break`, in place of the designed pause. */
  pauseBeforeMs?: number;
  /** Speed of this chunk when not 1. */
  speed?: number;
}

export interface JobState {
  jobId: string;
  status: JobStatus;
  voiceId: string;
  splitting: SplittingPreference;
  totalSentences: number;
  currentSentenceIndex: number;
  processedSentenceCount: number;
  counts: Record<ChunkStatus, number>;
  overallOrchestratorTimeoutMs: number;
  errorMessage: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Book metadata (null fields when unknown). */
  metadata: { title: string | null; author: string | null };
  /** Chapters in play order; empty for a job without chapters. */
  chapters: JobChapter[];
  audioFormat: ChunkAudioFormat;
  book?: JobBook;
  chunks?: ChunkInfo[];
}

/** SSE `event: job`. */
export interface JobEventData {
  jobId: string;
  total: number;
  overallOrchestratorTimeoutMs: number;
  status: JobStatus;
}

/** SSE `event: message` (id: index). */
export interface ChunkEventData {
  index: number;
  mimeType: string;
  url: string;
  durationMs: number | null;
  text: string;
  paragraphStart: boolean;
  words?: WordTiming[];
  /** Only when the client asked for inline audio (every chunk, or chunk 0 with `inline: 'first'`). */
  audioChunk?: string;
}

/** SSE `event: progress`. */
export interface ProgressEventData {
  completed: number;
  failed: number;
  total: number;
  status: JobStatus;
}

/** SSE `event: end`. */
export interface EndEventData {
  jobId: string;
  status: JobStatus;
  total: number;
}

/** SSE `event: error`. */
export interface ErrorEventData {
  code: string;
  message: string;
  index?: number;
}

/** Backend Worker contract (seed 001's `/api/rawtts`), called over a service binding. */
export interface RawTtsRequest {
  jobId: string;
  sentenceIndex: number;
  text: string;
  voiceId: string;
  model?: string;
  timeoutMs?: number;
  /** The synthesis backend RouterCounter chose (must be one the backend Worker is configured with). */
  backendUrl?: string;
  /** Chunk audio format to store (docs/formats.md); default: the provider's configured format (`wav` for the synthesis service). */
  format?: 'wav' | 'mp3' | 'opus' | 'aac';
  /** Speed multiplier 0.25–4.0 for this chunk (job speed × SSML prosody rate); 1 when absent. */
  speed?: number;
  /** Answer with the stored bytes too (`RawTtsResponse.audio`): the job asks it for chunk 0, whose event can then carry them without an R2 read. */
  returnAudio?: boolean;
}

export interface RawTtsResponse {
  r2Key: string;
  mimeType: string;
  jobId: string;
  sentenceIndex: number;
  bytes: number;
  durationMs: number | null;
  words?: WordTiming[];
  /** The bytes stored under `r2Key`, when the request asked for them and the backend held them whole. */
  audio?: Uint8Array;
}

/** Failure of one backend call, classified for the retry policy. */
export interface RawTtsFailure {
  error: { code: string; message: string; status: number; retryable: boolean; retryAfterMs?: number };
}

export interface VoiceInfo {
  id: string;
  name: string;
  language: string;
  engine: string;
  provider?: string;
  sampleRate?: number;
}
