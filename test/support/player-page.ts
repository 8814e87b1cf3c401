// The page as a player, read from outside in Chromium (playwright-core): its
// state from the data- attributes of #player and the transcript, the Media
// Session handlers recorded so a test can press "lock screen" buttons, and a
// poll until a condition holds. Shared by the player's browser tests, and
// Chromium's start-up and the app's tab by the page's other browser tests.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { buildWeb } from '../../scripts/build-web.ts';
import { startStack, type Stack } from '../../scripts/stack/stack.ts';
import { sharedStack, type SharedStack } from './shared-stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium's flags for the page tests: headless, quiet, audio allowed without a gesture. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

/** Chromium at `executablePath` with the page tests' flags. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** A tab on the app at `baseURL`: the screenshots' desktop size, downloads allowed, page errors logged. */
export async function openAppPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  return page;
}

/** The shared stack and a tab on its app, in the Chromium the e2e global setup found or installed, started together. */
export async function openSharedStackPage(): Promise<{ stack: SharedStack; browser: Browser; page: Page }> {
  const found = inject('chromium');
  if ('error' in found) throw new Error(found.error);
  const [stack, browser] = await Promise.all([sharedStack(), launchChromium(found.path)]);
  return { stack, browser, page: await openAppPage(browser, stack.edgeUrl) };
}

/** The player tests' own stack, with one API key, and a Chromium, started together. */
export async function startPlayerStack(key: string): Promise<[Stack, Browser]> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  await buildWeb();
  return Promise.all([startStack({ orchestratorVars: { LECTOR_API_KEYS: `listener=${key}` } }), launchChromium(CHROMIUM)]);
}

export interface PlayerState {
  state: string;
  jobId: string;
  jobStatus: string;
  currentIndex: number;
  currentSentence: number;
  highlighted: string;
  currentWordIn: string;
  positionMs: number;
  audioTime: number;
  lateMs: number;
  rate: number;
  sleep: string;
  chapter: number;
  status: string;
}

// Strings, not functions: the test is type-checked without the DOM library.
const READ = `(() => {
  const p = document.getElementById('player').dataset;
  const n = (v) => (v === undefined || v === '' ? -1 : Number(v));
  const hl = document.querySelector('#transcript .sentence.current');
  const word = document.querySelector('#transcript .word.current');
  return { state: p.state ?? '', jobId: p.jobId ?? '', jobStatus: p.jobStatus ?? '', currentIndex: n(p.currentIndex), currentSentence: n(p.currentSentence),
    highlighted: hl ? hl.id : '', currentWordIn: word ? word.closest('.sentence').id : '',
    positionMs: n(p.positionMs), audioTime: n(p.audioTime), lateMs: n(p.lateMs), rate: n(p.rate), sleep: p.sleep ?? '', chapter: n(p.chapter),
    status: document.getElementById('status').textContent };
})()`;
/** Records the page's Media Session handlers so the test can press "lock screen" buttons. */
export const SPY = `(() => {
  window.__media = {};
  const ms = navigator.mediaSession;
  const set = ms.setActionHandler.bind(ms);
  ms.setActionHandler = (action, handler) => { window.__media[action] = handler; return set(action, handler); };
})()`;

export const read = (page: Page) => page.evaluate<PlayerState>(READ);
export const press = (page: Page, action: string) => page.evaluate(`window.__media[${JSON.stringify(action)}]({ action: ${JSON.stringify(action)} })`);

export async function waitFor(page: Page, what: string, done: (s: PlayerState) => boolean, timeoutMs = 30_000): Promise<PlayerState> {
  const deadline = Date.now() + timeoutMs;
  let last: PlayerState | undefined;
  while (Date.now() < deadline) {
    last = await read(page);
    if (done(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}
