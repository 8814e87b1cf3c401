// Chunks of many sentences in Chromium (playwright-core) on the real stack:
// the default splitting grows chunks after the ramp, and the page still
// highlights, jumps, steps, sleeps and resumes by sentence inside a chunk; the
// captions from the real stack have one cue per sentence (read back with
// webvtt-parser, the W3C validator's parser).
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebVTTParser } from 'webvtt-parser';
import type { Stack } from '../../scripts/stack/stack.ts';
import type { JobState } from '../../src/core/api/types.ts';
import { chunkSentences } from '../../src/core/sentences.ts';
import { press, SPY, startPlayerStack, waitFor } from '../support/player-page.ts';

const KEY = 'sentences-test-key-8c2f4a';
const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

describe('chunks of many sentences: the page and the captions go by sentence', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await startPlayerStack(KEY);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const line = (i: number): string => `Line ${NUMBERS[i % 10]} of part ${['A', 'B', 'C', 'D'][Math.floor(i / 10)]} is read.`;
  /**
   * 36 short sentences in two paragraphs (20 and 16): after the three one-sentence chunks of
   * the ramp, growing chunks of 8, 17 (across the paragraph break) and 8 sentences.
   */
  const TEXT = [Array.from({ length: 20 }, (_, i) => line(i)).join(' '), Array.from({ length: 16 }, (_, i) => line(20 + i)).join(' ')].join('\n\n');

  it('highlights, jumps, steps, resumes and captions sentence by sentence inside one chunk', async () => {
    const context = await browser.newContext({ baseURL: stack.edgeUrl, viewport: { width: 1100, height: 900 } });
    await context.addCookies([{ name: 'lector_key', value: KEY, url: stack.edgeUrl }]);
    await context.addInitScript(SPY);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    const api = (path: string) => fetch(`${stack.edgeUrl}${path}`, { headers: { authorization: `Bearer ${KEY}` } });

    await page.goto('/');
    await page.fill('#text', TEXT);
    await page.selectOption('#splitting', 'sentence');
    await page.click('#speak');
    const started = await waitFor(page, 'playback', (s) => s.state === 'playing');
    await waitFor(page, 'the whole job synthesized', (s) => s.jobStatus === 'completed', 90_000);
    const job = (await (await api(`/api/tts/${started.jobId}?include=chunks`)).json()) as JobState;
    const chunks = job.chunks!;
    const sentencesOf = chunks.map((c) => chunkSentences(c.text).map((r) => c.text.slice(r.start, r.end)));
    // The default splitting merged short sentences: chunk 3 (after the ramp) and 4 hold many.
    expect(sentencesOf.slice(0, 3).map((s) => s.length)).toEqual([1, 1, 1]);
    expect(sentencesOf[3]!.length).toBeGreaterThanOrEqual(6);
    expect(sentencesOf[4]!.length).toBeGreaterThanOrEqual(6);
    expect(sentencesOf.flat()).toEqual(TEXT.split(/(?<=\.)\s+/));
    // One span per sentence inside each chunk's span; a paragraph inside a chunk starts on a new line.
    for (const k of [3, 4]) expect(await page.locator(`#chunk-${k} .sentence`).allTextContents()).toEqual(sentencesOf[k]);
    const breakAt = sentencesOf[4]!.indexOf(line(20));
    expect(chunks[4]!.text).toContain('\n\n');
    expect(breakAt).toBeGreaterThan(0);
    expect(await page.locator(`#chunk-4 .paragraph-break + #sentence-4-${breakAt}`).count()).toBe(1);
    expect(await page.locator('#transcript .paragraph-break').count()).toBe(1);

    // Clicking the first sentence of chunk 3 plays it; the highlight walks its sentences one by one.
    await page.click('#sentence-3-0');
    await waitFor(page, 'the jump to chunk 3', (s) => s.currentIndex === 3 && s.currentSentence === 0 && s.state === 'playing');
    const walked: number[] = [];
    await waitFor(page, 'four sentences of chunk 3', (s) => {
      if (s.currentIndex === 3 && s.state === 'playing' && walked.at(-1) !== s.currentSentence) walked.push(s.currentSentence);
      if (s.currentIndex === 3 && s.state === 'playing') expect(s.highlighted).toBe(`sentence-3-${s.currentSentence}`);
      return s.currentIndex === 3 && s.currentSentence >= 4;
    }, 60_000);
    expect(walked).toEqual([0, 1, 2, 3, 4]);
    // The word highlighted is in the sentence highlighted.
    const inWord = await waitFor(page, 'a word of the sentence', (s) => s.currentWordIn !== '' && s.currentIndex === 3);
    expect(inWord.currentWordIn).toBe(inWord.highlighted);

    // A click on a sentence in the middle of chunk 4 plays from there, not from the chunk's start.
    await page.click('#sentence-4-3');
    const mid = await waitFor(page, 'the jump into chunk 4', (s) => s.state === 'playing' && s.currentIndex === 4 && s.currentWordIn !== '');
    expect(mid.currentSentence).toBeGreaterThanOrEqual(3);
    expect(mid.currentSentence).toBeLessThanOrEqual(4);
    expect(mid.currentWordIn).toBe(`sentence-4-${mid.currentSentence}`);

    // Enter on a focused sentence does the same.
    await page.focus('#sentence-4-2');
    await page.keyboard.press('Enter');
    await waitFor(page, 'Enter on the third sentence', (s) => s.state === 'playing' && s.currentIndex === 4 && s.currentSentence === 2);

    // Paused, Next and Previous (keys and lock screen) move by one sentence inside the chunk.
    await press(page, 'pause');
    const paused = await waitFor(page, 'the pause', (s) => s.state === 'paused');
    await page.keyboard.press('ArrowRight');
    await waitFor(page, 'the next sentence', (s) => s.currentIndex === 4 && s.currentSentence === paused.currentSentence + 1 && s.highlighted === `sentence-4-${paused.currentSentence + 1}`);
    await press(page, 'nexttrack');
    const there = await waitFor(page, 'the one after', (s) => s.currentIndex === 4 && s.currentSentence === paused.currentSentence + 2);
    await press(page, 'previoustrack');
    await waitFor(page, 'back one', (s) => s.currentIndex === 4 && s.currentSentence === there.currentSentence - 1);
    await press(page, 'nexttrack');
    await waitFor(page, 'forward again', (s) => s.currentIndex === 4 && s.currentSentence === there.currentSentence);

    // The server learns the place: chunk 4, at the start of that sentence (not of the chunk).
    const deadline = Date.now() + 10_000;
    let saved: { index: number; offsetMs: number } | null = null;
    while (Date.now() < deadline) {
      saved = ((await (await api(`/api/tts/${started.jobId}/position`)).json()) as { position: { index: number; offsetMs: number } | null }).position;
      if (saved?.index === 4 && saved.offsetMs > 0) break;
      await page.waitForTimeout(200);
    }
    expect(saved?.index).toBe(4);
    expect(saved!.offsetMs).toBeGreaterThan(0);

    // Reloaded, it goes on from that sentence of chunk 4.
    await page.reload();
    const back = await waitFor(page, 'the job after the reload', (s) => s.jobId === started.jobId && s.currentWordIn !== '' && (s.state === 'playing' || s.state === 'paused'));
    expect(back.currentIndex).toBe(4);
    expect(back.currentSentence).toBeGreaterThanOrEqual(there.currentSentence);
    expect(back.currentSentence).toBeLessThanOrEqual(there.currentSentence + 1);
    expect(back.highlighted).toBe(`sentence-4-${back.currentSentence}`);
    // The sentence being read is the transcript's one tab stop.
    const stops = await page.evaluate<{ stops: string[]; current: string }>(
      `({ stops: [...document.querySelectorAll('#transcript [tabindex="0"]')].map((e) => e.id), current: document.querySelector('#transcript .sentence.current').id })`,
    );
    expect(stops.stops).toEqual([stops.current]);

    // The sleep timer's "end of this sentence" stops at the next sentence, inside the chunk.
    const playing = await waitFor(page, 'playing after the reload', (s) => s.state === 'playing' && s.currentIndex === 4);
    await page.selectOption('#sleep', 'chapter');
    const slept = await waitFor(page, 'the end of the sentence', (s) => s.state === 'paused', 30_000);
    expect(slept.sleep).toBe('off');
    expect(slept.currentIndex).toBe(4);
    expect(slept.currentSentence).toBeGreaterThanOrEqual(playing.currentSentence + 1);
    expect(slept.currentSentence).toBeLessThanOrEqual(playing.currentSentence + 2);

    // Captions from the real stack: one cue per sentence, not per chunk, in order.
    const entities = createRequire(import.meta.url)('webvtt-parser/html-entities.json') as Record<string, string>;
    const vtt = await (await api(`/api/tts/${started.jobId}/captions.vtt`)).text();
    const parsed = new WebVTTParser(entities).parse(vtt, 'metadata');
    expect(parsed.errors).toEqual([]);
    const plain = parsed.cues.map((c) => c.tree.children.filter((n) => n.type === 'text').map((n) => n.value).join(''));
    expect(plain).toEqual(sentencesOf.flat());
    // eSpeak's word timings: each sentence cue tags its words (the parser checked each tag lies inside its cue).
    for (const c of parsed.cues) expect(c.tree.children.filter((n) => n.type === 'timestamp').length).toBeGreaterThanOrEqual(5);
    expect(parsed.cues.length).toBeGreaterThan(chunks.length);
    for (let i = 1; i < parsed.cues.length; i++) expect(parsed.cues[i]!.startTime).toBeGreaterThanOrEqual(parsed.cues[i - 1]!.endTime);
    const srt = await (await api(`/api/tts/${started.jobId}/captions.srt`)).text();
    expect(srt.trim().split('\n\n')).toHaveLength(sentencesOf.flat().length);
    await context.close();
  });
});
