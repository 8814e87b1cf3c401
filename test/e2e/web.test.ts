// The page in a real browser (Chromium through playwright-core) against the
// real stack: speak ten sentences, check that progress, playback and the
// highlight move, that playback on the AudioContext clock takes exactly as long
// as the full-audio download (no gaps beyond the designed pauses), that the
// downloaded WAV is the chunks' PCM with the designed pauses byte for byte; then
// reload in the middle of a longer job and check the page picks it up.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openSharedStackPage } from '../support/player-page.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/build-web.ts';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';
import type { SharedStack } from '../support/shared-stack.ts';
import type { JobState } from '../../src/core/api/types.ts';
import { DEFAULT_PARAGRAPH_PAUSE_MS, DEFAULT_SENTENCE_PAUSE_MS } from '../../src/core/audio/timeline.ts';
import { WAV_HEADER_BYTES, parseWav } from '../../src/core/audio/wav.ts';

const SCREENSHOT = join(REPO_ROOT, 'test-results/web.png');
/** `LECTOR_UPDATE_SCREENSHOTS=1` also refreshes the README's screenshot. */
const DOCS_SCREENSHOT = join(REPO_ROOT, 'docs/screenshots/page.png');

const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
/** Ten sentences in two paragraphs, four words each: `tokenCount` with 4 tokens makes one chunk per sentence. */
const STORY = [
  'The night was quiet.', 'Rain tapped the window.', 'A lamp glowed softly.', 'She opened the book.', 'Its pages smelled old.',
  'The first chapter began.', 'A ship left harbour.', 'Gulls circled the mast.', 'Nobody looked back once.', 'The voyage had begun.',
];
/** Four words each, so `tokenCount` with 4 tokens makes one chunk per sentence. */
const sentence = (n: number): string => `Sentence ${NUMBERS[n % 10]} is here.`;
const WORDS_PER_SENTENCE = 4;

/** What the page exposes for tests: data- attributes on #player, #progress and #transcript. */
interface PageState {
  state: string;
  jobId: string;
  jobStatus: string;
  total: number;
  synthesized: number;
  currentIndex: number;
  wordIndex: number;
  playedChunks: number;
  audioTime: number;
  scheduledFrom: number;
  scheduledTo: number;
  underruns: number;
  lateMs: number;
  synthPercent: number;
  playedPercent: number;
  highlighted: number;
  chunks: number;
  status: string;
}

// A string, not a function: the test is type-checked without the DOM library.
const READ_STATE = `(() => {
  const p = document.getElementById('player').dataset;
  const g = document.getElementById('progress').dataset;
  const t = document.getElementById('transcript');
  const n = (v) => (v === undefined || v === '' ? -1 : Number(v));
  return {
    state: p.state ?? '', jobId: p.jobId ?? '', jobStatus: p.jobStatus ?? '',
    total: n(p.total), synthesized: n(p.synthesized), currentIndex: n(p.currentIndex), wordIndex: n(p.wordIndex),
    playedChunks: n(p.playedChunks), audioTime: n(p.audioTime), scheduledFrom: n(p.scheduledFrom), scheduledTo: n(p.scheduledTo), underruns: n(p.underruns), lateMs: n(p.lateMs),
    synthPercent: n(g.synthPercent), playedPercent: n(g.playedPercent), highlighted: n(t.dataset.highlighted),
    chunks: t.querySelectorAll('.chunk').length, status: document.getElementById('status').textContent,
  };
})()`;

async function readState(page: Page): Promise<PageState> {
  return page.evaluate<PageState>(READ_STATE);
}

/** Polls the page every 100 ms until `done`; `each` sees every reading. */
async function waitFor(page: Page, what: string, done: (s: PageState) => boolean, timeoutMs: number, each?: (s: PageState) => void | Promise<void>): Promise<PageState> {
  const deadline = Date.now() + timeoutMs;
  let last: PageState | undefined;
  while (Date.now() < deadline) {
    last = await readState(page);
    await each?.(last);
    if (done(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${what}; last page state: ${JSON.stringify(last)}`);
}

async function speak(page: Page, text: string): Promise<void> {
  await page.goto('/');
  await page.fill('#text', text);
  await page.selectOption('#voice', 'espeak:en-us');
  await page.selectOption('#splitting', 'tokenCount');
  await page.fill('#max-tokens', String(WORDS_PER_SENTENCE));
  await page.click('#speak');
}

async function download(page: Page, selector: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await file.path());
}

describe('web page', () => {
  let stack: SharedStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildWeb(); // test the page as it is in src/web now
    ({ stack, browser, page } = await openSharedStackPage());
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('speaks ten sentences: progress, playback without gaps, moving highlight, exact full-audio download', async () => {
    const text = `${STORY.slice(0, 5).join(' ')}\n\n${STORY.slice(5).join(' ')}`;
    await speak(page, text);

    const highlights: number[] = [];
    let shot = false;
    const end = await waitFor(page, 'playback to finish', (s) => s.state === 'finished', 60_000, async (s) => {
      if (s.highlighted >= 0 && highlights.at(-1) !== s.highlighted) highlights.push(s.highlighted);
      if (!shot && s.currentIndex >= 6 && s.wordIndex >= 1) {
        shot = true;
        mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        if (process.env.LECTOR_UPDATE_SCREENSHOTS === '1') copyFileSync(SCREENSHOT, DOCS_SCREENSHOT);
      }
    });

    const seen = `final page state ${JSON.stringify(end)}, highlights ${JSON.stringify(highlights)}`;
    expect(new URL(page.url()).searchParams.get('job'), seen).toBe(end.jobId);
    expect(end, seen).toMatchObject({ total: 10, chunks: 10, jobStatus: 'completed', synthesized: 10, synthPercent: 100, playedPercent: 100 });
    expect(end.status, seen).toContain('10 of 10');
    // Every chunk was heard to its end, and the highlight walked through each, forwards only.
    expect(end.playedChunks, seen).toBe(10);
    expect(highlights, seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A chunk synthesized too late for its slot is the only gap the page may add; on a busy
    // machine that can happen, so it is accounted for (below), and reported here.
    if (end.underruns > 0) console.warn(`web test: ${end.underruns} chunk(s) came ${end.lateMs} ms late in total`);
    expect(shot).toBe(true);

    // The full audio: one canonical header, then each chunk's PCM after its designed pause.
    const job = (await (await fetch(`${stack.edgeUrl}/api/tts/${end.jobId}?include=chunks`)).json()) as JobState;
    const parts: Uint8Array[] = [];
    let rate = 0;
    for (const c of job.chunks!) {
      const wav = parseWav(new Uint8Array(await (await fetch(`${stack.edgeUrl}/api/tts/${end.jobId}/chunks/${c.index}`)).arrayBuffer()));
      rate = wav.format.sampleRate;
      if (c.index > 0) {
        const pauseMs = c.paragraphStart ? DEFAULT_PARAGRAPH_PAUSE_MS : DEFAULT_SENTENCE_PAUSE_MS;
        parts.push(new Uint8Array(Math.round((pauseMs / 1000) * rate) * 2));
      }
      parts.push(wav.pcm);
    }
    expect(job.chunks!.map((c) => c.paragraphStart)).toEqual([true, false, false, false, false, true, false, false, false, false]);
    const expected = Buffer.concat(parts);

    const file = await download(page, '#download-audio');
    expect(file.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(file.readUInt32LE(4)).toBe(file.byteLength - 8);
    expect(file.subarray(36, 40).toString('latin1')).toBe('data');
    expect(file.readUInt32LE(40)).toBe(file.byteLength - WAV_HEADER_BYTES);
    const full = parseWav(new Uint8Array(file));
    expect(full.format).toEqual({ sampleRate: rate, channels: 1, bitsPerSample: 16 });
    expect(full.pcm.byteLength).toBe(expected.byteLength);
    expect(Buffer.from(full.pcm).equals(expected)).toBe(true);

    // Played on the AudioContext clock, the job took as long as that file (plus any wait for
    // late audio): the designed pauses and nothing else between chunks, no overlaps.
    const expectedSeconds = full.pcm.byteLength / (rate * 2) + end.lateMs / 1000;
    // The page's own schedule, not a poll's reading of the clock: a late poll cannot shorten it.
    expect(end.scheduledFrom, seen).toBeGreaterThanOrEqual(0);
    const playedSeconds = end.scheduledTo - end.scheduledFrom;
    expect(playedSeconds, seen).toBeGreaterThan(expectedSeconds - 0.4);
    expect(playedSeconds, seen).toBeLessThan(expectedSeconds + 0.4);

    const vtt = (await download(page, '#download-vtt')).toString('utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt.match(/-->/g)).toHaveLength(10);
    const srt = (await download(page, '#download-srt')).toString('utf8');
    expect(srt.match(/-->/g)).toHaveLength(10);
  });

  it('picks the job in the URL up after a reload mid-job, at the saved position; pauses, resumes and jumps', async () => {
    // Long enough that synthesis is still going when the page reloads.
    const text = Array.from({ length: 8 }, (_, p) => Array.from({ length: 25 }, (_, i) => sentence(p * 25 + i)).join(' ')).join('\n\n');
    await speak(page, text);
    const before = await waitFor(page, 'the second sentence', (s) => s.state === 'playing' && s.currentIndex >= 1, 30_000);
    expect(before.total).toBe(200);

    await page.reload();
    expect(new URL(page.url()).searchParams.get('job')).toBe(before.jobId);
    const resumed = await waitFor(page, 'the job to be reopened and playing', (s) => s.jobId === before.jobId && s.chunks === 200 && s.state === 'playing', 60_000);
    // It continues where it was (the chunk being heard, or the next one if it was between two).
    expect(resumed.currentIndex).toBeGreaterThanOrEqual(before.currentIndex);
    expect(resumed.currentIndex).toBeLessThanOrEqual(before.currentIndex + 1);
    await waitFor(page, 'playback to go on after the reload', (s) => s.currentIndex > resumed.currentIndex && s.playedChunks >= 1, 60_000);
    // The event stream was resumed: synthesis progress keeps arriving.
    if (before.synthesized < before.total) {
      await waitFor(page, 'synthesis progress after the reload', (s) => s.synthesized > before.synthesized, 60_000);
    } else {
      console.warn('web test: synthesis finished before the reload; stream resumption not exercised mid-synthesis');
    }
    console.log(`web test: reloaded at chunk ${before.currentIndex} with ${before.synthesized} of ${before.total} synthesized`);

    // Pause with K: the clock and the position stop.
    await page.keyboard.press('k');
    const paused = await waitFor(page, 'pause', (s) => s.state === 'paused', 30_000);
    await page.waitForTimeout(500);
    const stillPaused = await readState(page);
    expect(stillPaused).toMatchObject({ state: 'paused', currentIndex: paused.currentIndex, playedPercent: paused.playedPercent });
    // Resume with Space; then click a sentence to jump there.
    await page.keyboard.press(' ');
    await waitFor(page, 'resume', (s) => s.state === 'playing' && s.playedPercent > paused.playedPercent, 30_000);
    await page.click('#chunk-150');
    // Sentence 151 plays once it is synthesized: on a loaded machine that can take a while, so the deadline is generous.
    await waitFor(page, 'the jump to sentence 151', (s) => s.state === 'playing' && s.highlighted === 150 && s.wordIndex >= 0, 120_000);
    await page.keyboard.press('ArrowRight');
    await waitFor(page, 'the next sentence', (s) => s.highlighted === 151, 30_000);
  });
});
