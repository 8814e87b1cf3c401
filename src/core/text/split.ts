// Text splitting for synthesis (seed 001's preferences): a job's text becomes
// the ordered chunks that are synthesized one by one.
//
// - `sentence` (default): corrected Intl.Segmenter sentences (sentences.ts),
//   merged greedily into chunks of up to `targetChars`, never across a
//   paragraph; a sentence over `maxChars` is cut (cut.ts).
// - `tokenCount`: up to `maxTokens` whitespace-separated tokens per chunk,
//   never across a paragraph, never over `maxChars`.
// - `none`: the whole normalized text as one chunk; 413 if over `maxChars`.
//
// Invariants (property-tested): chunks joined equal the normalized text up to
// whitespace; no chunk is empty or over `maxChars` code points; the result is
// a pure function of the input. Time is linear in the text.
//
// Incremental use (for a caller with a small CPU budget per invocation, like
// a Durable Object): normalize once, take `paragraphsOf(normalized)`, and call
// `splitParagraphs(paragraphs, options, from, to)` for successive paragraph
// ranges, persisting the next paragraph index between invocations; or pull
// chunks lazily from `iterateChunks(normalized, options)`. Either way the
// chunks are exactly `splitText`'s: chunks never cross a paragraph, and
// segmentation inside a paragraph does not depend on its neighbours.

import { LectorError } from '../errors.ts';
import { cutRange } from './cut.ts';
import { codePointLength, getTextCharacterCount } from './count.ts';
import { normalizeText, PARAGRAPH_SEPARATOR } from './normalize.ts';
import { MAX_JOB_CHARS, resolveSplitOptions } from './options.ts';
import type { ResolvedSplitOptions, SplitOptions } from './options.ts';
import { sentenceRanges } from './sentences.ts';
import type { TextRange } from './sentences.ts';

export { getTextCharacterCount } from './count.ts';
export { DEFAULT_MAX_CHARS, DEFAULT_MAX_TOKENS, DEFAULT_TARGET_CHARS, MAX_JOB_CHARS } from './options.ts';
export type { SplitOptions } from './options.ts';

export interface TextChunk {
  text: string;
  /** True for the first chunk of a paragraph: players pause longer before it. */
  paragraphStart: boolean;
}

const TOKEN = /\S+/g;
/**
 * Paragraphs are split in blocks of about this many UTF-16 units: one ICU
 * iterator per block instead of one per paragraph (250,000 one-line
 * paragraphs took 1.3 s one by one), and bounded work per block for lazy use.
 */
const BLOCK_CHARS = 16_384;

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Builds the chunks of one block: merges ranges, flags paragraph starts. */
class ChunkBuilder {
  readonly chunks: TextChunk[] = [];
  private readonly block: string;
  private open: TextRange | null = null;
  private openChars = 0;
  private atParagraphStart = true;

  constructor(block: string) {
    this.block = block;
  }

  /** Code points of the open chunk if `range` (following it) were added. */
  charsWith(range: TextRange, rangeChars: number): number {
    // The gap between ranges is whitespace: BMP, so one code point per unit.
    return this.open === null ? rangeChars : this.openChars + (range.start - this.open.end) + rangeChars;
  }

  isOpen(): boolean {
    return this.open !== null;
  }

  extend(range: TextRange, chars: number): void {
    this.open = this.open === null ? { start: range.start, end: range.end } : { start: this.open.start, end: range.end };
    this.openChars = chars;
  }

  flush(): void {
    if (this.open !== null) this.emit(this.open);
    this.open = null;
    this.openChars = 0;
  }

  startParagraph(): void {
    this.flush();
    this.atParagraphStart = true;
  }

  emitCut(range: TextRange, maxChars: number): void {
    this.flush();
    for (const piece of cutRange(this.block, range, maxChars)) this.emit(piece);
  }

  private emit(range: TextRange): void {
    this.chunks.push({ text: this.block.slice(range.start, range.end), paragraphStart: this.atParagraphStart });
    this.atParagraphStart = false;
  }
}

function splitBySentence(block: string, options: ResolvedSplitOptions): TextChunk[] {
  const out = new ChunkBuilder(block);
  for (const sentence of sentenceRanges(block)) {
    if (sentence.paragraphStart) out.startParagraph();
    const chars = codePointLength(block, sentence.start, sentence.end);
    if (chars > options.maxChars) {
      out.emitCut(sentence, options.maxChars);
      continue;
    }
    const merged = out.charsWith(sentence, chars);
    if (out.isOpen() && merged > options.targetChars) out.flush();
    out.extend(sentence, out.isOpen() ? merged : chars);
  }
  out.flush();
  return out.chunks;
}

function paragraphEndAfter(block: string, from: number): number {
  const end = block.indexOf(PARAGRAPH_SEPARATOR, from);
  return end < 0 ? block.length : end;
}

function splitByTokens(block: string, options: ResolvedSplitOptions): TextChunk[] {
  const out = new ChunkBuilder(block);
  let paragraphEnd = paragraphEndAfter(block, 0);
  let tokens = 0;
  for (const match of block.matchAll(TOKEN)) {
    const token = { start: match.index, end: match.index + match[0].length };
    if (token.start > paragraphEnd) {
      out.startParagraph();
      tokens = 0;
      paragraphEnd = paragraphEndAfter(block, token.end);
    }
    const chars = codePointLength(block, token.start, token.end);
    if (chars > options.maxChars) {
      out.emitCut(token, options.maxChars);
      tokens = 0;
      continue;
    }
    const merged = out.charsWith(token, chars);
    if (out.isOpen() && (tokens >= options.maxTokens || merged > options.maxChars)) {
      out.flush();
      tokens = 0;
    }
    out.extend(token, out.isOpen() ? merged : chars);
    tokens++;
  }
  out.flush();
  return out.chunks;
}

/** Chunks of a block of whole normalized paragraphs joined by PARAGRAPH_SEPARATOR. */
function splitBlock(block: string, options: ResolvedSplitOptions): TextChunk[] {
  return options.preference === 'tokenCount' ? splitByTokens(block, options) : splitBySentence(block, options);
}

function wholeTextChunk(normalized: string, maxChars: number): TextChunk[] {
  const chars = getTextCharacterCount(normalized);
  if (chars > maxChars) {
    throw new LectorError(
      'chunk_too_long',
      413,
      `With splitting "none" the text must be at most ${formatCount(maxChars)} characters; it has ${formatCount(chars)}. Use "sentence" or "tokenCount" splitting for longer texts.`,
      { details: { limit: maxChars, characters: chars } },
    );
  }
  return normalized === '' ? [] : [{ text: normalized, paragraphStart: true }];
}

/** Consecutive blocks of whole paragraphs of a normalized text. */
function* blocksOf(normalizedText: string): Generator<string, void, undefined> {
  let start = 0;
  while (start < normalizedText.length) {
    const end = start + BLOCK_CHARS >= normalizedText.length ? normalizedText.length : paragraphEndAfter(normalizedText, start + BLOCK_CHARS);
    yield normalizedText.slice(start, end);
    start = end + PARAGRAPH_SEPARATOR.length;
  }
}

/**
 * Chunks of `paragraphs[startParagraphIndex, endParagraphIndex)`. The
 * paragraphs must come from `paragraphsOf(normalizeText(text))`; they are not
 * normalized again, and the job size is not checked (call assertJobTextSize
 * on the raw text first). With `none`, the range is one chunk. Consecutive
 * ranges concatenated give the chunks of the whole text, so a caller with a
 * small CPU budget can split a long text a few paragraphs per invocation.
 */
export function splitParagraphs(
  paragraphs: readonly string[],
  options?: SplitOptions,
  startParagraphIndex = 0,
  endParagraphIndex = paragraphs.length,
): TextChunk[] {
  const resolved = resolveSplitOptions(options);
  const range = paragraphs.slice(startParagraphIndex, endParagraphIndex);
  if (resolved.preference === 'none') return wholeTextChunk(range.join(PARAGRAPH_SEPARATOR), resolved.maxChars);
  const chunks: TextChunk[] = [];
  let batch: string[] = [];
  let batchChars = 0;
  const splitBatch = (): void => {
    for (const chunk of splitBlock(batch.join(PARAGRAPH_SEPARATOR), resolved)) chunks.push(chunk);
    batch = [];
    batchChars = 0;
  };
  for (const paragraph of range) {
    if (paragraph === '') continue;
    batch.push(paragraph);
    batchChars += paragraph.length;
    if (batchChars >= BLOCK_CHARS) splitBatch();
  }
  if (batch.length > 0) splitBatch();
  return chunks;
}

/**
 * Lazily yields the chunks of an already normalized text (`normalizeText`
 * output; the job size is not checked), a block of paragraphs (about 16K
 * characters) at a time: a caller can stop after any chunk and spends CPU only
 * on the blocks it reached.
 */
export function* iterateChunks(normalizedText: string, options?: SplitOptions): Generator<TextChunk, void, undefined> {
  const resolved = resolveSplitOptions(options);
  if (resolved.preference === 'none') {
    yield* wholeTextChunk(normalizedText, resolved.maxChars);
    return;
  }
  for (const block of blocksOf(normalizedText)) yield* splitBlock(block, resolved);
}

/** Throws 413 `text_too_long` if `text` is over MAX_JOB_CHARS code points. */
export function assertJobTextSize(text: string): void {
  if (text.length <= MAX_JOB_CHARS) return;
  // Code points are at least half the UTF-16 length: skip counting huge inputs.
  const exact = text.length <= 2 * MAX_JOB_CHARS;
  const chars = exact ? getTextCharacterCount(text) : Math.ceil(text.length / 2);
  if (chars <= MAX_JOB_CHARS) return;
  throw new LectorError(
    'text_too_long',
    413,
    `Text has ${exact ? '' : 'at least '}${formatCount(chars)} characters; a job accepts at most ${formatCount(MAX_JOB_CHARS)} characters (Unicode code points).`,
    { details: { limit: MAX_JOB_CHARS, characters: chars } },
  );
}

/**
 * Splits a job's text into chunks: validates the options, refuses texts over
 * MAX_JOB_CHARS (413 `text_too_long`) and empty ones (400 `empty_text`),
 * normalizes (normalize.ts), then splits by the chosen preference.
 */
export function splitText(text: string, options?: SplitOptions): TextChunk[] {
  const resolved = resolveSplitOptions(options);
  assertJobTextSize(text);
  const normalized = normalizeText(text);
  if (normalized === '') {
    throw new LectorError('empty_text', 400, 'Text is empty: there is nothing to speak.');
  }
  if (resolved.preference === 'none') return wholeTextChunk(normalized, resolved.maxChars);
  const chunks: TextChunk[] = [];
  for (const block of blocksOf(normalized)) for (const chunk of splitBlock(block, resolved)) chunks.push(chunk);
  return chunks;
}

/** `splitText` with the default options (sentence splitting, 250/500 characters). */
export function splitIntoChunks(text: string, options?: SplitOptions): TextChunk[] {
  return splitText(text, options);
}
