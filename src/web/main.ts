// The page: the form (text or a book file, voice with preview, splitting,
// audio format), the player (controls, progress, status, downloads) and the
// transcript. It creates a
// job, puts it in the URL, and renders the session a few times a second; a
// reload with ?job=<id> opens the same job at the saved position.
import type { CreateJobRequest, CreateJobResponse, JobAudioFormat, SplittingPreference, VoiceInfo } from '../core/api/types.ts';
import { ApiError, createJob, fetchVoices, uploadBook } from './api.ts';
import { bookContentType, installBookFile } from './book-file.ts';
import { DownloadsView } from './downloads.ts';
import { byId, setData, setText } from './dom.ts';
import { installShortcuts } from './keyboard.ts';
import { LibraryView } from './library-view.ts';
import { ListeningControls } from './listening.ts';
import { bestPosition } from './position-sync.ts';
import type { Position } from './player.ts';
import { previewVoice, stopPreview } from './preview.ts';
import { ProgressView } from './progress.ts';
import { jobIdFromUrl, savePosition, setJobInUrl } from './resume.ts';
import { JobSession, type SessionInfo } from './session.ts';
import { TranscriptView } from './transcript.ts';

const VOICE_KEY = 'lector:voice';
const DEFAULT_VOICE = 'espeak:en-us';
/** How often the position is saved while playing, at the latest. */
const SAVE_EVERY_MS = 1000;

const el = {
  form: byId('speak-form', HTMLFormElement),
  text: byId('text', HTMLTextAreaElement),
  voice: byId('voice', HTMLSelectElement),
  preview: byId('preview', HTMLButtonElement),
  splitting: byId('splitting', HTMLSelectElement),
  maxTokensField: byId('max-tokens-field', HTMLDivElement),
  maxTokens: byId('max-tokens', HTMLInputElement),
  bookFile: byId('book-file', HTMLInputElement),
  audioFormat: byId('audio-format', HTMLSelectElement),
  speak: byId('speak', HTMLButtonElement),
  player: byId('player', HTMLElement),
  prev: byId('prev', HTMLButtonElement),
  play: byId('play', HTMLButtonElement),
  next: byId('next', HTMLButtonElement),
  statusLive: byId('status-live', HTMLSpanElement),
  statusDetail: byId('status-detail', HTMLSpanElement),
};
const downloads = new DownloadsView(
  { audio: byId('download-audio', HTMLAnchorElement), vtt: byId('download-vtt', HTMLAnchorElement), srt: byId('download-srt', HTMLAnchorElement) },
  (text) => showNotice(text),
);
const progress = new ProgressView(byId('progress', HTMLDivElement));
const transcript = new TranscriptView(byId('transcript', HTMLDivElement), (index, sentence) => void session?.jump(index, sentence));

const listening = new ListeningControls(() => session, () => render());
const library = new LibraryView(byId('library', HTMLElement), {
  open: (jobId, play) => void reopen(jobId, play),
  deleted: (jobId) => {
    if (session?.jobId !== jobId) return;
    closeSession();
    setJobInUrl(null);
  },
  notice: (text) => showNotice(text),
});

let audioContext: AudioContext | undefined;
let session: JobSession | undefined;
/** A message that overrides the status line until the next session change (errors before a job exists). */
let notice: string | null = null;
let saved = { index: -1, sentence: -1, at: 0, finished: false };

/** One AudioContext for the page, made on first use (ideally inside a click, so it may start). */
function ctx(): AudioContext {
  audioContext ??= new AudioContext();
  return audioContext;
}

// ---- the form ----------------------------------------------------------

el.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void speak();
});

el.splitting.addEventListener('change', () => {
  el.maxTokensField.hidden = el.splitting.value !== 'tokenCount';
});

el.voice.addEventListener('change', () => {
  try {
    localStorage.setItem(VOICE_KEY, el.voice.value);
  } catch (e) {
    console.warn('cannot remember the voice', e);
  }
});

el.preview.addEventListener('click', () => void preview());

installBookFile(el.bookFile, el.form, (file) => void openBook(file));

/** The chosen audio format; empty means the server's default (WAV for text, MP3 for a book file). */
function chosenFormat(): JobAudioFormat | undefined {
  return (el.audioFormat.value || undefined) as JobAudioFormat | undefined;
}

function speak(): Promise<void> {
  const req: CreateJobRequest = { text: el.text.value, voiceId: el.voice.value, splitting: el.splitting.value as SplittingPreference };
  if (req.splitting === 'tokenCount') req.maxTokens = el.maxTokens.valueAsNumber;
  const format = chosenFormat();
  if (format) req.audioFormat = format;
  return start(() => createJob(req));
}

/** A book file (picked or dropped): sent as it is, chapters and tags come from it. */
function openBook(file: File): Promise<void> {
  const type = bookContentType(file.name);
  if (!type) {
    showNotice(`Cannot read “${file.name}”: open an .epub, .md, .html or .txt file.`);
    return Promise.resolve();
  }
  const format = chosenFormat();
  return start(() => uploadBook(file, type, format ? { voiceId: el.voice.value, audioFormat: format } : { voiceId: el.voice.value }), `Sending “${file.name}”…`);
}

async function start(create: () => Promise<CreateJobResponse>, starting = 'Starting…'): Promise<void> {
  // Inside the click (or drop): the browser lets an AudioContext start now.
  void ctx().resume();
  stopPreview();
  el.speak.disabled = true;
  showNotice(starting);
  try {
    const created = await create();
    await openJob(created.jobId, { index: 0, offsetMs: 0 }, true);
    void library.refresh();
    // From here Space on the focused Play button pauses, as a listener expects.
    el.play.focus();
  } catch (e) {
    showNotice(`Could not start: ${describe(e)}`);
  } finally {
    el.speak.disabled = false;
  }
}

let previewing = false;

/** Plays a sample of the chosen voice; pressed again while it plays, stops it. */
async function preview(): Promise<void> {
  if (previewing) {
    stopPreview();
    return;
  }
  const voice = el.voice.selectedOptions[0]?.textContent ?? el.voice.value;
  session?.pause();
  previewing = true;
  // The button stays enabled (and focused): it becomes the way to stop the sample.
  setText(el.preview, 'Stop');
  el.preview.setAttribute('aria-label', 'Stop the voice sample');
  showNotice(`Preparing a sample of ${voice}…`);
  try {
    await previewVoice(el.voice.value, () => showNotice(`Playing a sample of ${voice}.`));
    showNotice(null);
  } catch (e) {
    showNotice(`Preview failed: ${describe(e)}`);
  } finally {
    previewing = false;
    setText(el.preview, 'Preview');
    el.preview.setAttribute('aria-label', 'Preview the chosen voice');
  }
}

async function loadVoices(): Promise<void> {
  let voices: VoiceInfo[];
  try {
    voices = await fetchVoices();
  } catch (e) {
    console.warn('voices unavailable; keeping the built-in list', e);
    return;
  }
  if (voices.length === 0) return;
  const chosen = session?.state.voiceId ?? rememberedVoice();
  const byLanguage = new Map<string, VoiceInfo[]>();
  for (const v of voices) byLanguage.set(v.language, [...(byLanguage.get(v.language) ?? []), v]);
  const groups = [...byLanguage.entries()].sort(([a], [b]) => a.localeCompare(b));
  el.voice.replaceChildren(
    ...groups.map(([language, list]) => {
      const group = document.createElement('optgroup');
      group.label = languageName(language);
      group.append(...list.map((v) => new Option(`${v.name} — ${v.engine}`, v.id, false, v.id === chosen)));
      return group;
    }),
  );
  if (!voices.some((v) => v.id === chosen)) el.voice.value = voices.some((v) => v.id === DEFAULT_VOICE) ? DEFAULT_VOICE : voices[0]!.id;
}

function rememberedVoice(): string {
  try {
    return localStorage.getItem(VOICE_KEY) ?? DEFAULT_VOICE;
  } catch (e) {
    console.warn('cannot read the remembered voice', e);
    return DEFAULT_VOICE;
  }
}

function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames([navigator.language, 'en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag; // not a BCP 47 tag: show it as is
  }
}

// ---- the job ------------------------------------------------------------

function closeSession(): void {
  session?.close();
  session = undefined;
  listening.closed();
  resetPlayer();
}

async function openJob(jobId: string, start: Position, autoplay: boolean): Promise<void> {
  session?.close();
  session = undefined;
  listening.closed();
  saved = { index: -1, sentence: -1, at: 0, finished: false };
  let next: JobSession;
  try {
    next = await JobSession.open(ctx(), jobId, transcript, start);
  } catch (e) {
    resetPlayer();
    throw e;
  }
  session = next;
  listening.opened(next);
  notice = null;
  setJobInUrl(jobId);
  for (const b of [el.play, el.prev, el.next]) b.disabled = false;
  render();
  if (autoplay) await next.play(start);
  render();
}

/** No job: empty transcript, disabled controls. */
function resetPlayer(): void {
  transcript.clear();
  progress.update({ total: 0, synthesized: 0, failed: 0, playedFraction: 0, playingIndex: 0 });
  for (const b of [el.play, el.prev, el.next]) b.disabled = true;
  downloads.reset();
  setText(el.statusDetail, '');
  for (const key of Object.keys(el.player.dataset)) delete el.player.dataset[key];
  el.player.dataset.state = 'idle';
}

/** After a reload: the job in the URL, from the saved position. */
async function resumeFromUrl(): Promise<void> {
  const jobId = jobIdFromUrl();
  if (jobId) await reopen(jobId, 'unless-finished');
}

/** Opens a job at its saved position (the newer of this browser's and the server's copy). */
async function reopen(jobId: string, play: boolean | 'unless-finished'): Promise<void> {
  if (play === true) void ctx().resume(); // inside the click: audio may start
  showNotice('Reopening the job…');
  const pos = await bestPosition(jobId);
  const start = pos && !pos.finished ? { index: pos.index, offsetMs: pos.offsetMs } : { index: 0, offsetMs: 0 };
  try {
    await openJob(jobId, start, play === 'unless-finished' ? !pos?.finished : play);
  } catch (e) {
    setJobInUrl(null);
    showNotice(e instanceof ApiError && e.status === 404 ? 'That job is gone (jobs are kept for a day). Start a new one.' : `Could not reopen the job: ${describe(e)}`);
    return;
  }
  const s = session!.state;
  if (s.chunks?.length) el.text.value = joinChunks(s.chunks);
  if ([...el.voice.options].some((o) => o.value === s.voiceId)) el.voice.value = s.voiceId;
  el.splitting.value = s.splitting;
  if (s.book) el.audioFormat.value = s.book.format;
  el.maxTokensField.hidden = s.splitting !== 'tokenCount';
}

function joinChunks(chunks: readonly { text: string; paragraphStart: boolean }[]): string {
  return chunks.map((c, i) => (i === 0 ? '' : c.paragraphStart ? '\n\n' : ' ') + c.text).join('');
}

// ---- controls ----------------------------------------------------------

el.play.addEventListener('click', () => void session?.toggle().then(render));
el.prev.addEventListener('click', () => void session?.step(-1).then(render));
el.next.addEventListener('click', () => void session?.step(1).then(render));

installShortcuts({
  togglePlay: () => void session?.toggle().then(render),
  previous: () => void session?.step(-1).then(render),
  next: () => void session?.step(1).then(render),
});

window.addEventListener('pagehide', () => {
  if (!session) return;
  const info = session.tick();
  savePosition(session.jobId, info.playback.resumeAt, info.playback.state === 'finished');
  listening.flush(info);
});

// ---- rendering -----------------------------------------------------------

function render(): void {
  if (!session) return;
  const info = session.tick();
  const p = info.playback;
  transcript.highlight(p.index, p.sentence, p.wordIndex);
  progress.update({ total: info.total, synthesized: info.synthesized, failed: info.failed, playedFraction: p.playedFraction, playingIndex: p.index });

  const active = p.state === 'playing' || p.state === 'buffering';
  setText(el.play.querySelector('.label')!, active ? 'Pause' : 'Play');
  setData(el.play, 'active', String(active));
  el.prev.disabled = p.index <= 0 && p.sentence <= 0;
  el.next.disabled = p.index >= info.total - 1 && p.sentence >= session.sentences.count(p.index) - 1;
  downloads.update(info.jobId, session.state, info.jobStatus);
  const line = statusLine(info);
  setText(el.statusLive, notice ?? line.live);
  setText(el.statusDetail, line.detail);

  const d = el.player;
  setData(d, 'jobId', info.jobId);
  setData(d, 'jobStatus', info.jobStatus);
  setData(d, 'bookStatus', session.state.book?.status ?? '');
  setData(d, 'state', info.blocked ? 'blocked' : p.state);
  setData(d, 'total', info.total);
  setData(d, 'synthesized', info.synthesized);
  setData(d, 'currentIndex', p.index);
  setData(d, 'currentSentence', p.sentence);
  setData(d, 'wordIndex', p.wordIndex);
  setData(d, 'playedChunks', p.playedChunks);
  setData(d, 'audioTime', p.audioTime.toFixed(2));
  setData(d, 'scheduledFrom', p.scheduledFrom.toFixed(3));
  setData(d, 'scheduledTo', p.scheduledTo.toFixed(3));
  setData(d, 'underruns', p.underruns);
  setData(d, 'lateMs', p.lateMs);
  listening.update(info);

  persist(info);
}

function persist(info: SessionInfo): void {
  const p = info.playback;
  const finished = p.state === 'finished';
  const now = Date.now();
  const changed = p.resumeAt.index !== saved.index || p.resumeSentence !== saved.sentence || finished !== saved.finished;
  if (!changed && (p.state !== 'playing' || now - saved.at < SAVE_EVERY_MS)) return;
  if (p.state === 'idle') return;
  savePosition(info.jobId, p.resumeAt, finished);
  saved = { index: p.resumeAt.index, sentence: p.resumeSentence, at: now, finished };
}

/** What is announced (state changes only) and the running detail (shown, not announced). */
function statusLine(info: SessionInfo): { live: string; detail: string } {
  const p = info.playback;
  const total = info.total;
  let detail = `${Math.min(p.index + 1, total)} of ${total}`;
  if (info.synthesized < total) detail += ` · ${info.synthesized} of ${total} synthesized`;
  if (info.reconnecting) detail += ' · reconnecting to the server…';
  let live: string;
  if (info.jobStatus === 'failed' || info.jobStatus === 'cancelled') {
    live = `The job ${info.jobStatus === 'failed' ? 'failed' : 'was cancelled'}: ${info.error ?? 'no reason given'}.`;
  } else if (info.blocked) live = 'Press Play or Space to continue at';
  else if (p.state === 'playing') live = 'Playing';
  else if (p.state === 'buffering') live = 'Waiting for audio:';
  else if (p.state === 'paused') live = 'Paused at';
  else if (p.state === 'finished') live = 'Finished:';
  else live = 'Ready:';
  if (info.error && info.jobStatus !== 'failed') detail += ` · ${info.error}`;
  return { live, detail };
}

function showNotice(text: string | null): void {
  notice = text;
  if (text !== null) setText(el.statusLive, text);
  else if (!session) setText(el.statusLive, 'Ready.');
  render();
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Frames while visible (smooth word highlight); a timer keeps the schedule fed in the background. */
function frame(): void {
  render();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
setInterval(() => {
  if (document.hidden) render();
}, 250);

void loadVoices();
void resumeFromUrl();
void library.refresh();
