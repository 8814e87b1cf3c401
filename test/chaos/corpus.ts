// Slices of Pride and Prejudice that split into a given number of chunks, so
// every chaos and load job is real prose of a known size. Pure: the same
// arguments always give the same text and the same chunk plan the edge makes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import { DEFAULT_GROWN_CHARS, DEFAULT_RAMP_CHUNKS, planJobChunks } from '../../src/core/chunking.ts';
import { FIRST_PAGE_CHARS, PAGE_MAX_CHARS, PAGE_TARGET_CHARS, paginate } from '../../src/core/pages.ts';
import { normalizeText, paragraphsOf } from '../../src/core/text/normalize.ts';
import type { TextChunk } from '../../src/core/text/split.ts';

export const CORPUS_PATH = join(REPO_ROOT, 'test/fixtures/corpus/pride_and_prejudice.txt');

/** First paragraph of chapter 1 ("It is a truth universally acknowledged..."). */
const STORY_START = 'It is a truth universally acknowledged';

export interface CorpusSlice {
  /** The text to send to `POST /api/tts`. */
  text: string;
  /** The chunks the edge will make of it (same code: `planJobChunks`, page by page: `planLikeJob`). */
  chunks: TextChunk[];
}

let paragraphs: string[] | undefined;

function storyParagraphs(): string[] {
  if (!paragraphs) {
    const all = paragraphsOf(normalizeText(readFileSync(CORPUS_PATH, 'utf8')));
    const start = all.findIndex((p) => p.startsWith(STORY_START));
    if (start < 0) throw new Error(`corpus: "${STORY_START}" not found in ${CORPUS_PATH}`);
    paragraphs = all.slice(start);
  }
  return paragraphs;
}

/**
 * The chunks a job makes of `text`, page by page as its Durable Object splits it (a small first
 * page, then ~16K-character pages; growth goes on across pages; chunks never cross a page), with
 * the job's `maxChunkChars` (undefined: the default growth; 0: one paragraph per chunk), as
 * src/edge/orchestrator/job/chunkPlan.ts plans it for a voice whose provider takes over 1,000
 * characters (eSpeak NG through the synthesis service: 4,096).
 */
export function planLikeJob(text: string, maxChunkChars?: number): TextChunk[] {
  const cap = maxChunkChars ?? DEFAULT_GROWN_CHARS;
  const out: TextChunk[] = [];
  for (const page of paginate(text, PAGE_TARGET_CHARS, PAGE_MAX_CHARS, FIRST_PAGE_CHARS)) {
    const growth = cap > 0 ? { maxChars: cap, grownBefore: Math.max(0, out.length - DEFAULT_RAMP_CHUNKS) } : false;
    const chunks = planJobChunks(page.text, {}, Math.max(0, DEFAULT_RAMP_CHUNKS - out.length), growth);
    if (page.continuesParagraph && chunks[0]) chunks[0] = { ...chunks[0], paragraphStart: false };
    out.push(...chunks);
  }
  return out;
}

/**
 * Whole paragraphs from paragraph `from` of the story on, as few as give at least `chunks` chunks
 * as a job with `maxChunkChars` plans them; then trimmed to exactly `chunks` chunks when the
 * trimmed text plans the same way.
 */
export function corpusSlice(chunks: number, from = 0, maxChunkChars?: number): CorpusSlice {
  if (!Number.isInteger(chunks) || chunks < 1) throw new TypeError(`chunks must be a positive integer, got ${chunks}`);
  const story = storyParagraphs();
  const taken: string[] = [];
  let plan: TextChunk[] = [];
  for (let i = from % story.length; plan.length < chunks; i = (i + 1) % story.length) {
    if (taken.length >= story.length) throw new Error(`corpus: the whole story gives fewer than ${chunks} chunks`);
    taken.push(story[i]!);
    plan = planLikeJob(taken.join('\n\n'), maxChunkChars);
  }
  const text = taken.join('\n\n');
  if (plan.length === chunks) return { text, chunks: plan };
  // Rebuild the text from the first `chunks` chunks; keep it if it plans into the same chunk texts. A
  // paragraphStart flag may differ at a page edge (paginate's fallback cut at a blank line marks the next
  // page as continuing a paragraph); the replanned chunks are what the job makes, flags included.
  const trimmed = plan.slice(0, chunks).map((c, i) => (i > 0 && c.paragraphStart ? `\n\n${c.text}` : i > 0 ? ` ${c.text}` : c.text)).join('');
  const replanned = planLikeJob(trimmed, maxChunkChars);
  if (replanned.length === chunks && replanned.every((c, i) => c.text === plan[i]!.text)) {
    return { text: trimmed, chunks: replanned };
  }
  return { text, chunks: plan };
}
