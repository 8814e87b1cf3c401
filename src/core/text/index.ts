// Public API of text handling: normalization, character counting, splitting
// into synthesis chunks, and the limits that go with them.

export { getTextCharacterCount } from './count.ts';
export { normalizeText, paragraphsOf, PARAGRAPH_SEPARATOR } from './normalize.ts';
export {
  DEFAULT_MAX_CHARS,
  DEFAULT_MAX_TOKENS,
  DEFAULT_SPLITTING,
  DEFAULT_TARGET_CHARS,
  MAX_JOB_CHARS,
  resolveSplitOptions,
} from './options.ts';
export type { ResolvedSplitOptions, SplitOptions } from './options.ts';
export { assertJobTextSize, iterateChunks, splitIntoChunks, splitParagraphs, splitText } from './split.ts';
export type { TextChunk } from './split.ts';
