// The benchmark texts: a fixed 50,000-character slice of the corpus novel,
// starting at its first sentence, and the whole novel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';

/** Where the slice starts: the novel's first sentence (after the Gutenberg front matter and contents). */
export const SLICE_START_MARKER = 'It is a truth universally acknowledged';
/** Characters (UTF-16 code units; the novel has no astral characters, so also code points) in the slice. */
export const SLICE_CHARS = 50_000;

export const CORPUS_PATH = join(REPO_ROOT, 'test/fixtures/corpus/pride_and_prejudice.txt');

export function readNovel(): string {
  return readFileSync(CORPUS_PATH, 'utf8');
}

/** `novel.slice(start, start + 50,000)` with `start` = the index of the first sentence. */
export function benchSlice(): { text: string; start: number } {
  const novel = readNovel();
  const start = novel.indexOf(SLICE_START_MARKER);
  if (start < 0) throw new Error(`${CORPUS_PATH}: marker "${SLICE_START_MARKER}" not found`);
  const text = novel.slice(start, start + SLICE_CHARS);
  if (text.length !== SLICE_CHARS) throw new Error(`${CORPUS_PATH}: fewer than ${SLICE_CHARS} characters after the marker`);
  return { text, start };
}
