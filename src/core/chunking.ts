// The chunks a job is synthesized in: the splitter's sentences, merged into
// chunks. The first few chunks stay one sentence each ("ramp-up") so the first
// audio is ready in the time of one short sentence; after the ramp the target
// doubles chunk by chunk (250, 500, 1,000 code points) and chunks may span
// paragraphs, so a chunk's fixed costs (an RPC, a lease, rows, an R2 object, an
// event) are paid once per ~1,000 characters instead of once per sentence.
// Paragraphs inside a chunk are separated by PARAGRAPH_BREAK; readers of a chunk
// (page, captions) find its sentences and paragraphs again with src/core/sentences.
import type { TextChunk } from './text/split.ts';
import { splitText } from './text/split.ts';
import { getTextCharacterCount } from './text/count.ts';
import { PARAGRAPH_SEPARATOR } from './text/normalize.ts';
import { resolveSplitOptions, type SplitOptions } from './text/options.ts';

/** Leading chunks kept to a single sentence. */
export const DEFAULT_RAMP_CHUNKS = 3;
/**
 * Largest grown chunk, in code points. About a minute of speech: big enough that per-chunk
 * costs vanish next to the engine's (they are ~1/5 of a 250-character chunk's), small enough
 * that a retry repeats little, a redo stays a passage, and every provider takes it (Workers AI: 1,000).
 */
export const DEFAULT_GROWN_CHARS = 1_000;
/** Between two paragraphs inside one chunk (engines read it as a paragraph pause). */
export const PARAGRAPH_BREAK = PARAGRAPH_SEPARATOR;

/** How chunks grow after the ramp; `false` keeps every chunk within one paragraph and `targetChars`. */
export interface ChunkGrowth {
  /** Most code points of a grown chunk (the provider's limit may lower it). */
  maxChars: number;
  /** Grown chunks already planned before this text (a job planned page by page). */
  grownBefore: number;
}

export const DEFAULT_GROWTH: ChunkGrowth = { maxChars: DEFAULT_GROWN_CHARS, grownBefore: 0 };

export function planJobChunks(text: string, options: SplitOptions = {}, rampChunks = DEFAULT_RAMP_CHUNKS, growth: ChunkGrowth | false = DEFAULT_GROWTH): TextChunk[] {
  const resolved = resolveSplitOptions(options);
  if (resolved.preference !== 'sentence' || (rampChunks <= 0 && growth === false)) return splitText(text, options);
  // Sentences (overlong ones already cut below maxChars), then our own merge with the ramp.
  const sentences = splitText(text, { ...options, targetChars: 1 });
  const out: TextChunk[] = [];
  let open: { text: string; chars: number; paragraphStart: boolean } | undefined;
  const flush = (): void => {
    if (open) out.push({ text: open.text, paragraphStart: open.paragraphStart });
    open = undefined;
  };
  for (const s of sentences) {
    const chars = getTextCharacterCount(s.text);
    // `open` will be chunk number out.length: the ramp keeps it a single sentence.
    const ramping = out.length < rampChunks;
    const grown = growth === false ? -1 : growth.grownBefore + out.length - Math.max(0, rampChunks);
    const target = growth === false || grown < 0 ? resolved.targetChars : Math.min(growth.maxChars, resolved.targetChars * 2 ** grown);
    const joinChars = s.paragraphStart ? PARAGRAPH_BREAK.length : 1;
    const crosses = s.paragraphStart && grown < 0;
    if (open && !ramping && !crosses && open.chars + joinChars + chars <= target) {
      open.text += (s.paragraphStart ? PARAGRAPH_BREAK : ' ') + s.text;
      open.chars += joinChars + chars;
      continue;
    }
    flush();
    open = { text: s.text, chars, paragraphStart: s.paragraphStart };
  }
  flush();
  return out;
}
