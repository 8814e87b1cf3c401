// `lector speak` with a book: an EPUB in, an MP3 audiobook out (format from the
// output's extension), chapters selected, one file per chapter, progress per
// chapter — checked with music-metadata and mpg123 against the job's state.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuffer } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import { EPUB3_EXPECTED, epub3Book } from '../fixtures/books/index.ts';
import { decodeMp3 } from '../support/audio-codecs.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

const CLI = join(REPO_ROOT, 'src/cli/main.ts');

function lector(args: string[], server: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--server', server], { cwd: REPO_ROOT, env: { ...process.env, LECTOR_API_KEY: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('lector speak with a book', () => {
  let stack: SharedStack;
  let dir: string;
  beforeAll(async () => {
    stack = await sharedStack();
    dir = mkdtempSync(join(tmpdir(), 'lector-cli-book-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('book.epub -o book.mp3 --chapters 1-2 --split-chapters DIR', async () => {
    const epub = join(dir, 'book.epub');
    writeFileSync(epub, epub3Book());
    const out = join(dir, 'book.mp3');
    const split = join(dir, 'chapters');
    const run = await lector(['speak', epub, '-o', out, '--chapters', '1-2', '--split-chapters', split], stack.edgeUrl);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('"The Lighthouse Keeper" by Mara Quill, 2 chapters, mp3');
    expect(run.stderr).toContain('chapter 1/2 done: Chapter One: The Storm');
    expect(run.stderr).toContain('chapter 2/2 done: Part Two');

    const book = new Uint8Array(readFileSync(out));
    const meta = await parseBuffer(book, { mimeType: 'audio/mpeg' }, { includeChapters: true });
    expect(meta.common.title).toBe('The Lighthouse Keeper');
    const titles = EPUB3_EXPECTED.chapters.slice(0, 2).map((c) => c.title);
    expect(meta.format.chapters?.map((c) => c.title)).toEqual(titles);
    expect((await decodeMp3(book)).samples.length).toBeGreaterThan(22050);

    const files = readdirSync(split).sort();
    expect(files).toEqual(['01 - Chapter One The Storm.mp3', '02 - Part Two.mp3']);
    for (const f of files) {
      const d = await decodeMp3(new Uint8Array(readFileSync(join(split, f))));
      expect(d.errors).toBe(0);
      expect(d.samples.length).toBeGreaterThan(0);
    }
  });

  it('refuses an output format it cannot make', async () => {
    const run = await lector(['speak', join(dir, 'book.epub'), '-o', join(dir, 'book.m4a')], stack.edgeUrl);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('use .mp3, .opus or .wav');
  });
});
