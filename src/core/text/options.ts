// Options and limits of text splitting: defaults, and early TypeErrors for
// options that make no sense. All sizes are code points (see count.ts).

import type { SplittingPreference } from '../api/types.ts';
import { SPLITTING_PREFERENCES } from '../api/types.ts';
import { LectorError } from '../errors.ts';

/** Largest text one job accepts, in code points: a whole novel. */
export const MAX_JOB_CHARS = 1_000_000;
/** `sentence`: short sentences are merged into chunks of up to this many code points. */
export const DEFAULT_TARGET_CHARS = 250;
/** Hard maximum of any chunk, in code points, whatever the preference. */
export const DEFAULT_MAX_CHARS = 500;
/**
 * `tokenCount`: whitespace-separated tokens per chunk. 40 English words are
 * about 220-250 characters, so the chunks come out near DEFAULT_TARGET_CHARS.
 */
export const DEFAULT_MAX_TOKENS = 40;
export const DEFAULT_SPLITTING: SplittingPreference = 'sentence';

export interface SplitOptions {
  /** How to cut the text: `sentence` (default), `tokenCount` or `none`. */
  preference?: SplittingPreference;
  /** `sentence`: merge sentences into chunks up to this many code points (default 250). */
  targetChars?: number;
  /** Hard maximum of a chunk in code points (default 500); `none` refuses longer texts with 413. */
  maxChars?: number;
  /** `tokenCount`: at most this many whitespace-separated tokens per chunk (default 40). */
  maxTokens?: number;
}

export type ResolvedSplitOptions = Required<SplitOptions>;

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

/**
 * Options with defaults filled in. Throws TypeError for nonsense sizes, and
 * LectorError('unknown_splitting', 400) for a preference that does not exist
 * (that one usually comes straight from a request).
 */
export function resolveSplitOptions(options: SplitOptions = {}): ResolvedSplitOptions {
  const preference = options.preference ?? DEFAULT_SPLITTING;
  if (!SPLITTING_PREFERENCES.includes(preference)) {
    throw new LectorError('unknown_splitting', 400, `Unknown splitting preference "${String(preference)}"; use one of: ${SPLITTING_PREFERENCES.join(', ')}.`, {
      details: { splitting: preference, allowed: [...SPLITTING_PREFERENCES] },
    });
  }
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const targetChars = options.targetChars ?? Math.min(DEFAULT_TARGET_CHARS, maxChars);
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  checkCount('maxChars', maxChars);
  checkCount('targetChars', targetChars);
  checkCount('maxTokens', maxTokens);
  if (targetChars > maxChars) {
    throw new TypeError(`targetChars (${targetChars}) must not exceed maxChars (${maxChars})`);
  }
  return { preference, targetChars, maxChars, maxTokens };
}
