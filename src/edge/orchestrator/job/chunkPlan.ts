// The chunks of one page of a job's text: split, merged to the provider's size,
// each with its own timeout. Shared by job creation and the per-alarm page split.
import type { SplittingPreference } from '../../../core/api/types.ts';
import { DEFAULT_RAMP_CHUNKS, planJobChunks } from '../../../core/chunking.ts';
import { DEFAULT_MAX_CHARS, type SplitOptions } from '../../../core/text/options.ts';
import { getTextCharacterCount } from '../../../core/text/count.ts';
import { chunkTimeoutMs } from '../../../core/timeouts.ts';
import type { NewChunk } from './JobStore.ts';

/** Something a voice could read: a letter, digit, symbol or punctuation mark. */
export const HAS_SPEAKABLE = /[\p{L}\p{N}\p{S}\p{P}]/u;

export interface PagePlanOptions {
  splitting: SplittingPreference;
  maxTokens: number | null;
  /** Most characters per chunk from the voice's provider (null: the splitter's own limit). */
  maxChars: number | null;
  timeoutOverrideMs: number | null;
  /** Chunks already planned before this page (the first few chunks stay short). */
  chunksSoFar: number;
  /** The page starts inside a paragraph of the previous page. */
  continues: boolean;
}

export function planPage(text: string, o: PagePlanOptions): NewChunk[] {
  const splitOptions: SplitOptions = { preference: o.splitting };
  if (o.maxTokens !== null) splitOptions.maxTokens = o.maxTokens;
  if (o.maxChars !== null) splitOptions.maxChars = Math.min(o.maxChars, DEFAULT_MAX_CHARS);
  if (!HAS_SPEAKABLE.test(text)) return [];
  const pieces = planJobChunks(text, splitOptions, Math.max(0, DEFAULT_RAMP_CHUNKS - o.chunksSoFar));
  return pieces.map((p, i) => {
    const charCount = getTextCharacterCount(p.text);
    return { text: p.text, charCount, paragraphStart: i === 0 && o.continues ? false : p.paragraphStart, timeoutMs: o.timeoutOverrideMs ?? chunkTimeoutMs(charCount) };
  });
}
