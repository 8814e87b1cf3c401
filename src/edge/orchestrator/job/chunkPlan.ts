// The chunks of one page of a job's text: split, merged to the provider's size,
// each with its own timeout, with the job's voice settings (lexicon, speed) applied
// by the speech planner. Shared by job creation and the per-alarm page split; an
// SSML job is planned whole at creation.
import type { SplittingPreference } from '../../../core/api/types.ts';
import { DEFAULT_GROWN_CHARS, DEFAULT_RAMP_CHUNKS, planJobChunks } from '../../../core/chunking.ts';
import { DEFAULT_MAX_CHARS, type SplitOptions } from '../../../core/text/options.ts';
import { getTextCharacterCount } from '../../../core/text/count.ts';
import { chunkTimeoutMs } from '../../../core/timeouts.ts';
import { LectorError } from '../../../core/errors.ts';
import { compileLexicon, type Lexicon, type PhonemeSupport } from '../../../core/lexicon/lexicon.ts';
import { phonemeSupportOf, planSpeech, planTextChunks, type SpeechChunkPlan } from '../../../core/speech-plan.ts';
import type { JobRow, NewChunk } from './JobStore.ts';

/** Something a voice could read: a letter, digit, symbol or punctuation mark. */
export const HAS_SPEAKABLE = /[\p{L}\p{N}\p{S}\p{P}]/u;

export interface PagePlanOptions {
  splitting: SplittingPreference;
  maxTokens: number | null;
  /** Most characters per chunk from the voice's provider (null: the splitter's own limit). */
  maxChars: number | null;
  /** Largest grown chunk (null: DEFAULT_GROWN_CHARS; 0: no growth). */
  growChars?: number | null;
  timeoutOverrideMs: number | null;
  /** Chunks already planned before this page (the first few chunks stay short). */
  chunksSoFar: number;
  /** The page starts inside a paragraph of the previous page. */
  continues: boolean;
  /** The job's lexicon and speed (absent: plain text at speed 1). */
  voice?: JobVoice;
}

/** What a job's voice settings do to each chunk. */
export interface JobVoice {
  lexicon: Lexicon;
  speed: number;
  phonemes: PhonemeSupport;
}

/** The voice settings stored with a job; undefined when it has none (speed 1, no lexicon). */
export function voiceOf(job: Pick<JobRow, 'speed' | 'lexicon' | 'voice_id'>): JobVoice | undefined {
  const speed = job.speed ?? 1;
  if (speed === 1 && job.lexicon === null) return undefined;
  return { speed, lexicon: compileLexicon(job.lexicon === null ? undefined : JSON.parse(job.lexicon)), phonemes: phonemeSupportOf(job.voice_id) };
}

/** Most characters of SSML in one job: planned whole in one invocation, so bounded well below plain text's limit. */
export const MAX_SSML_JOB_CHARS = 200_000;

function toNewChunk(p: SpeechChunkPlan, timeoutOverrideMs: number | null): NewChunk {
  const spoken = p.speak ?? p.text;
  const charCount = getTextCharacterCount(p.text);
  // The provider's limits and the timeout follow what the engine reads.
  const c: NewChunk = { text: p.text, charCount, paragraphStart: p.paragraphStart, timeoutMs: timeoutOverrideMs ?? chunkTimeoutMs(Math.max(charCount, getTextCharacterCount(spoken))) };
  if (p.speak !== undefined) c.speak = p.speak;
  if (p.pauseBeforeMs !== undefined) c.pauseBeforeMs = p.pauseBeforeMs;
  if (p.speed !== undefined) c.speed = p.speed;
  return c;
}

/** Every chunk of an SSML job. Throws LectorError 400 (`invalid_ssml` with line and column) or 413. */
export function planSsmlJob(ssml: string, o: Omit<PagePlanOptions, 'chunksSoFar' | 'continues'>, voiceId: string): NewChunk[] {
  if (ssml.length > MAX_SSML_JOB_CHARS) {
    throw new LectorError('text_too_long', 413, `SSML jobs take at most ${MAX_SSML_JOB_CHARS} characters of markup; send longer books as plain text or a document`);
  }
  const splitting: SplitOptions = { preference: o.splitting };
  if (o.maxTokens !== null) splitting.maxTokens = o.maxTokens;
  if (o.maxChars !== null) splitting.maxChars = Math.min(o.maxChars, DEFAULT_MAX_CHARS);
  // `phoneme` elements reach eSpeak voices even when the job has no lexicon.
  const plans = planSpeech(ssml, { inputFormat: 'ssml', splitting, phonemes: phonemeSupportOf(voiceId), ...(o.voice ? { lexicon: o.voice.lexicon, speed: o.voice.speed } : {}) });
  return plans.map((p) => toNewChunk(p, o.timeoutOverrideMs));
}

export function planPage(text: string, o: PagePlanOptions): NewChunk[] {
  const splitOptions: SplitOptions = { preference: o.splitting };
  if (o.maxTokens !== null) splitOptions.maxTokens = o.maxTokens;
  if (o.maxChars !== null) splitOptions.maxChars = Math.min(o.maxChars, DEFAULT_MAX_CHARS);
  if (!HAS_SPEAKABLE.test(text)) return [];
  // Chunks grow after the ramp up to the provider's limit (docs/architecture.md, "Chunks").
  const cap = Math.min(o.growChars ?? DEFAULT_GROWN_CHARS, o.maxChars ?? DEFAULT_GROWN_CHARS);
  const growth = cap > 0 ? { maxChars: cap, grownBefore: Math.max(0, o.chunksSoFar - DEFAULT_RAMP_CHUNKS) } : false;
  const pieces = planJobChunks(text, splitOptions, Math.max(0, DEFAULT_RAMP_CHUNKS - o.chunksSoFar), growth);
  const plans = o.voice ? planTextChunks(pieces, o.voice) : pieces.map((p) => ({ text: p.text, paragraphStart: p.paragraphStart }));
  return plans.map((p, i) => toNewChunk({ ...p, paragraphStart: i === 0 && o.continues ? false : p.paragraphStart }, o.timeoutOverrideMs));
}
