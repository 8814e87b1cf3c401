// The page takes a book file and gives an audiobook, in Chromium
// (playwright-core) on the real stack: an EPUB 3 opened with the file picker,
// MP3 chosen; the chapter titles from its table of contents appear, playback of
// the MP3 chunks (decoded by the browser's decodeAudioData) starts, a chapter
// jump lands on the chapter's first sentence, and once the book is assembled
// the chapter list shows durations and the book and chapter download links
// give MP3 files that music-metadata reads (chapters included). A Markdown file
// dropped on the page as Opus plays too; a file of another kind is refused.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuffer } from 'music-metadata';
import type { Browser, Page } from 'playwright-core';
import { openSharedStackPage } from '../support/player-page.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import type { SharedStack } from '../support/shared-stack.ts';
import type { JobState } from '../../src/core/api/types.ts';
import { EPUB3_EXPECTED, MARKDOWN_BOOK, MARKDOWN_EXPECTED, epub3Book } from '../fixtures/books/index.ts';

const SCREENSHOT = join(REPO_ROOT, 'test-results/web-book.png');
/** `LECTOR_UPDATE_SCREENSHOTS=1` also refreshes docs/web.md's screenshot of a book. */
const DOCS_SCREENSHOT = join(REPO_ROOT, 'docs/screenshots/book.png');

interface BookPage {
  state: string;
  jobId: string;
  jobStatus: string;
  bookStatus: string;
  currentIndex: number;
  playedChunks: number;
  audioTime: number;
  status: string;
  chapters: { title: string; duration: string | null; download: string | null }[];
  book: { text: string; href: string | null; disabled: string | null };
  captionsHidden: boolean;
}

// A string, not a function: the test is type-checked without the DOM library.
const READ = `(() => {
  const p = document.getElementById('player').dataset;
  const n = (v) => (v === undefined || v === '' ? -1 : Number(v));
  const a = document.getElementById('download-audio');
  return {
    state: p.state ?? '', jobId: p.jobId ?? '', jobStatus: p.jobStatus ?? '', bookStatus: p.bookStatus ?? '',
    currentIndex: n(p.currentIndex), playedChunks: n(p.playedChunks), audioTime: n(p.audioTime),
    status: document.getElementById('status').textContent,
    chapters: [...document.querySelectorAll('#chapters li')].map((li) => ({
      title: li.querySelector('button.chapter').firstChild.textContent,
      duration: li.querySelector('.duration')?.textContent ?? null,
      download: li.querySelector('a.chapter-download')?.getAttribute('href') ?? null,
    })),
    book: { text: a.textContent, href: a.getAttribute('href'), disabled: a.getAttribute('aria-disabled') },
    captionsHidden: document.getElementById('download-vtt').hidden && document.getElementById('download-srt').hidden,
  };
})()`;

async function waitFor(page: Page, what: string, done: (s: BookPage) => boolean, timeoutMs: number): Promise<BookPage> {
  const deadline = Date.now() + timeoutMs;
  let last: BookPage | undefined;
  while (Date.now() < deadline) {
    last = await page.evaluate<BookPage>(READ);
    if (done(last)) return last;
    await page.waitForTimeout(150);
  }
  throw new Error(`timed out waiting for ${what}; last page state: ${JSON.stringify(last)}`);
}

describe('web page: a book file in, an audiobook out', () => {
  let stack: SharedStack;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    // The page was built from src/web by the e2e global setup, before the shared stack served it.
    ({ stack, browser, page } = await openSharedStackPage());
    dir = mkdtempSync(join(tmpdir(), 'lector-web-book-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens an EPUB with the picker as MP3: chapters, playback, jumps, book and chapter downloads', async () => {
    const file = join(dir, 'the-lighthouse-keeper.epub');
    writeFileSync(file, epub3Book());
    await page.goto('/');
    await page.selectOption('#voice', 'espeak:en-us');
    await page.selectOption('#audio-format', 'mp3');
    await page.setInputFiles('#book-file', file);

    // The chapter titles (from the EPUB's nav, not its headings) appear, in order.
    const titles = EPUB3_EXPECTED.chapters.map((c) => c.title);
    const opened = await waitFor(page, 'the chapter list', (s) => s.chapters.length === titles.length, 60_000);
    expect(opened.chapters.map((c) => c.title.trim())).toEqual(titles);
    const state = (await (await fetch(`${stack.edgeUrl}/api/tts/${opened.jobId}`)).json()) as JobState;
    expect(state.audioFormat).toBe('mp3');
    expect(state.metadata.title).toBe('The Lighthouse Keeper');

    // Playback starts: MP3 chunks decoded in the browser and played on the audio clock.
    const playing = await waitFor(page, 'playback', (s) => s.playedChunks >= 1 && s.audioTime > 0, 60_000);
    expect(playing.status).not.toMatch(/could not be played/);

    // Jumping to the third chapter plays from its first sentence.
    const third = state.chapters[2]!;
    await page.click('#chapters li:nth-child(3) button.chapter');
    await waitFor(page, 'the jump to chapter 3', (s) => s.currentIndex >= third.firstChunk && s.currentIndex < third.firstChunk + third.chunkCount, 30_000);

    // Once the book is assembled: durations, a link per chapter, the book link enabled; no captions (they need PCM).
    const done = await waitFor(page, 'the assembled book', (s) => s.bookStatus === 'done' && s.chapters.every((c) => c.download !== null), 180_000);
    expect(done.book.disabled).toBe('false');
    expect(done.book.text).toBe('Full book (MP3)');
    expect(done.captionsHidden).toBe(true);
    for (const c of done.chapters) expect(c.duration).toMatch(/^\d+:\d\d$/);
    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (process.env.LECTOR_UPDATE_SCREENSHOTS === '1') copyFileSync(SCREENSHOT, DOCS_SCREENSHOT);
    const final = (await (await fetch(`${stack.edgeUrl}/api/tts/${opened.jobId}`)).json()) as JobState;
    expect(done.chapters.map((c) => c.download)).toEqual(final.chapters.map((c) => `/api/tts/${opened.jobId}/chapters/${c.index}/audio`));

    // The book link, clicked: a download the browser saves, an MP3 with the four chapters.
    const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#download-audio')]);
    const bookBytes = readFileSync(await saved.path());
    const bookRes = await fetch(`${stack.edgeUrl}${done.book.href}`);
    expect(bookRes.status).toBe(200);
    expect(bookRes.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await bookRes.arrayBuffer()).equals(bookBytes)).toBe(true);
    const bookMeta = await parseBuffer(bookBytes, { mimeType: 'audio/mpeg' }, { includeChapters: true, duration: true });
    expect(bookMeta.format.container).toMatch(/MPEG/);
    expect(bookMeta.common.title).toBe('The Lighthouse Keeper');
    expect(bookMeta.format.chapters?.map((c) => c.title)).toEqual(titles);

    // A chapter link: 200 audio/mpeg, an MP3 shorter than the book.
    const chapterRes = await fetch(`${stack.edgeUrl}${done.chapters[1]!.download}`);
    expect(chapterRes.status).toBe(200);
    expect(chapterRes.headers.get('content-type')).toBe('audio/mpeg');
    const chapterMeta = await parseBuffer(new Uint8Array(await chapterRes.arrayBuffer()), { mimeType: 'audio/mpeg' }, { duration: true });
    expect(chapterMeta.format.duration).toBeGreaterThan(0.5);
    expect(chapterMeta.format.duration).toBeLessThan(bookMeta.format.duration!);
  }, 420_000);

  it('takes a Markdown file dropped on the page as Opus, and refuses a file it cannot read', async () => {
    await page.goto('/');
    await page.selectOption('#voice', 'espeak:en-us');
    await page.selectOption('#audio-format', 'opus');
    // What a drop from the file manager delivers: a DataTransfer holding a File (with no type, as for .md).
    const drop = (name: string, text: string) =>
      page.evaluate(`(() => {
        const dt = new DataTransfer();
        dt.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}));
        for (const type of ['dragenter', 'dragover', 'drop']) document.querySelector('main').dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      })()`);

    await drop('notes.pdf', 'not a book');
    await waitFor(page, 'the refusal', (s) => s.status.includes('Cannot read “notes.pdf”'), 10_000);
    expect((await page.evaluate<BookPage>(READ)).jobId).toBe('');

    await drop('notes-from-the-hill.md', MARKDOWN_BOOK);
    const titles = MARKDOWN_EXPECTED.chapters.map((c) => c.title);
    const opened = await waitFor(page, 'the chapter list', (s) => s.chapters.length === titles.length, 60_000);
    expect(opened.chapters.map((c) => c.title.trim())).toEqual(titles);
    const state = (await (await fetch(`${stack.edgeUrl}/api/tts/${opened.jobId}`)).json()) as JobState;
    expect(state.audioFormat).toBe('opus');
    expect(state.metadata.title).toBe('Notes from the Hill');
    // Ogg Opus chunks decode in the browser and play.
    const playing = await waitFor(page, 'playback', (s) => s.playedChunks >= 1 && s.audioTime > 0, 60_000);
    expect(playing.status).not.toMatch(/could not be played/);
    const done = await waitFor(page, 'the assembled book', (s) => s.bookStatus === 'done' && s.book.disabled === 'false', 180_000);
    expect(done.book.text).toBe('Full book (OPUS)');
    const res = await fetch(`${stack.edgeUrl}${done.book.href}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^audio\/ogg/);
  }, 300_000);
});
