// The caller's shelf of jobs: `GET /api/tts` lists them (newest first, paged)
// with their live status, and `GET|PUT /api/tts/{id}/position` keep the
// listening position on the server, so it follows the listener to another
// device with the same key. Jobs are put on the shelf when they are created
// (`registerJob`) and taken off when deleted (`unregisterJob`).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { LibraryItem, LibraryList, SavedPosition } from '../../../core/api/library.ts';
import type { JobState } from '../../../core/api/types.ts';
import { DEFAULT_PAUSES, pauseBeforeMs } from '../../../core/audio/timeline.ts';
import { LectorError } from '../../../core/errors.ts';
import type { InitializedJob } from '../job/TtsJobDurableObject.ts';
import type { LibraryCursor, LibraryEntry } from '../library/JobLibrary.ts';
import { libraryStub } from '../library/owner.ts';
import { jobTitle } from '../../../core/job-title.ts';
import type { AppEnv } from './app-env.ts';
import { jobStub } from './job-address.ts';
import { parseJobId, readJson } from './validate.ts';

export const LIBRARY_DEFAULT_LIMIT = 20;
/** Each listed job costs one call to its Durable Object: bound them per request. */
export const LIBRARY_MAX_LIMIT = 50;
/** Durations summed per listing (each reads a job's chunk rows once; later listings reuse it). */
const DURATIONS_PER_LISTING = 5;

const positionSchema = z.object({
  index: z.number().int().min(0).max(10_000_000),
  offsetMs: z.number().min(0).max(3_600_000),
  finished: z.boolean().optional(),
  savedAt: z.number().int().min(0).optional(),
});

type Ctx = Context<AppEnv>;

const library = (c: Ctx) => libraryStub(c.env, c.req.raw, c.get('caller'));
/** The job's Durable Object as this caller addresses it. */
const job = (c: Ctx, jobId: string) => jobStub(c.env, jobId, c.get('caller'));

/** Puts a just-created job on the caller's shelf. The job stands even if this fails (it is logged). */
export async function registerJob(c: Ctx, init: InitializedJob, text: string, title?: string | null): Promise<void> {
  try {
    await shelve(c, init, text, title);
  } catch (e) {
    console.error('library: could not shelve job', init.jobId, e);
  }
}

async function shelve(c: Ctx, init: InitializedJob, text: string, title?: string | null): Promise<void> {
  const stub = job(c, init.jobId);
  const state = await stub.getJobState(false);
  const now = Date.now();
  // A book's own title, else the first words of the text (of its first chunk for an uploaded document).
  let words = text;
  if (!words.trim()) {
    const first = await stub.getAudioChunkMetadata(0);
    words = first.ok ? first.value.text : '';
  }
  await library(c).add({
    jobId: init.jobId,
    title: jobTitle(words, state?.metadata?.title ?? title),
    voiceId: state?.voiceId ?? '',
    totalChunks: init.totalSentences,
    characters: text.length,
    createdAt: state?.createdAt ?? now,
    expiresAt: state?.expiresAt ?? now + 86_400_000,
  });
}

/** Takes a deleted job off the caller's shelf. */
export async function unregisterJob(c: Ctx, jobId: string): Promise<boolean> {
  return library(c).remove(jobId);
}

function parseCursor(raw: string | undefined): LibraryCursor | null {
  if (raw === undefined || raw === '') return null;
  let decoded = '';
  try {
    decoded = /^[A-Za-z0-9_-]{1,80}$/.test(raw) ? atob(raw.replace(/-/g, '+').replace(/_/g, '/')) : '';
  } catch {
    decoded = '';
  }
  const m = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(decoded);
  if (!m) throw new LectorError('bad_request', 400, 'cursor is not one this server gave out');
  return { createdAt: Number(m[1]), jobId: m[2]! };
}

function encodeCursor(e: LibraryEntry): string {
  return btoa(`${e.createdAt}:${e.jobId}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return LIBRARY_DEFAULT_LIMIT;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > LIBRARY_MAX_LIMIT) {
    throw new LectorError('bad_request', 400, `limit must be an integer from 1 to ${LIBRARY_MAX_LIMIT}`);
  }
  return Number(raw);
}

/** Length of a complete job's audio: every chunk plus the designed pause before it (as `GET /audio` lays it out). */
async function totalDurationMs(c: Ctx, jobId: string): Promise<number | null> {
  const plan = await job(c, jobId).getAudioPlan(false);
  if (!plan) return null;
  let ms = 0;
  for (const [position, ch] of plan.chunks.entries()) {
    if (ch.durationMs === null) return null;
    ms += pauseBeforeMs(position, ch.paragraphStart, DEFAULT_PAUSES) + ch.durationMs;
  }
  return ms;
}

async function toItem(c: Ctx, e: LibraryEntry, state: JobState, budget: { durations: number }): Promise<LibraryItem> {
  // An assembled book knows its length; otherwise the chunks and pauses are summed.
  let durationMs = state.book?.durationMs ?? e.durationMs;
  if (durationMs === null && state.status === 'completed' && budget.durations > 0) {
    budget.durations--;
    // Once per job: the sum is kept on the shelf after the first listing.
    durationMs = await totalDurationMs(c, e.jobId);
    if (durationMs !== null) await library(c).setDuration(e.jobId, durationMs);
  }
  const base = `/api/tts/${e.jobId}`;
  return {
    jobId: e.jobId,
    title: e.title,
    voiceId: e.voiceId,
    status: state.status,
    totalChunks: state.totalSentences,
    completedChunks: state.counts.completed,
    failedChunks: state.counts.failed,
    progress: state.totalSentences > 0 ? state.counts.completed / state.totalSentences : 0,
    durationMs,
    characters: e.characters,
    createdAt: e.createdAt,
    expiresAt: state.expiresAt,
    position: e.position,
    links: { self: base, audio: `${base}/audio`, position: `${base}/position` },
  };
}

/** The caller's shelf entry for a job, adding it (e.g. a job opened from a link) when the job exists. */
async function shelfEntry(c: Ctx, jobId: string): Promise<LibraryEntry> {
  const shelf = library(c);
  const known = await shelf.entry(jobId);
  if (known) return known;
  const stub = job(c, jobId);
  const state = await stub.getJobState(false);
  if (!state) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
  const first = await stub.getAudioChunkMetadata(0);
  await shelf.add({
    jobId,
    title: jobTitle(first.ok ? first.value.text : ''),
    voiceId: state.voiceId,
    totalChunks: state.totalSentences,
    characters: 0,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
  });
  return (await shelf.entry(jobId))!;
}

export const libraryRoutes = new Hono<AppEnv>()
  .get('/tts', async (c) => {
    const limit = parseLimit(c.req.query('limit'));
    const after = parseCursor(c.req.query('cursor'));
    const shelf = library(c);
    const page = await shelf.list(after, limit);
    const states = await Promise.all(page.entries.map((e) => job(c, e.jobId).getJobState(false)));
    const items: LibraryItem[] = [];
    const budget = { durations: DURATIONS_PER_LISTING };
    for (const [i, e] of page.entries.entries()) {
      const state = states[i];
      if (!state) {
        await shelf.remove(e.jobId); // expired or deleted elsewhere
        continue;
      }
      items.push(await toItem(c, e, state, budget));
    }
    const last = page.entries.at(-1);
    const body: LibraryList = { jobs: items, nextCursor: page.more && last ? encodeCursor(last) : null };
    return c.json(body);
  })
  .get('/tts/:jobId/position', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const entry = await library(c).entry(jobId);
    if (!entry) throw new LectorError('job_not_found', 404, `job ${jobId} is not in your library`);
    return c.json({ jobId, position: entry.position });
  })
  .put('/tts/:jobId/position', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const parsed = positionSchema.safeParse(await readJson(c.req.raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      throw new LectorError('validation_failed', 400, `${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
    }
    const entry = await shelfEntry(c, jobId);
    if (parsed.data.index >= entry.totalChunks) {
      throw new LectorError('validation_failed', 400, `index: the job has ${entry.totalChunks} chunks`, { details: { field: 'index' } });
    }
    const now = Date.now();
    // A client clock ahead of ours must not pin the position forever.
    const savedAt = Math.min(parsed.data.savedAt ?? now, now);
    const position: SavedPosition = { index: parsed.data.index, offsetMs: parsed.data.offsetMs, finished: parsed.data.finished ?? false, savedAt };
    await library(c).setPosition(jobId, position);
    const stored = await library(c).entry(jobId);
    return c.json({ jobId, position: stored?.position ?? position });
  });
