// Job routes: create, stream, state, chunk audio, delete.
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import type { CreateJobRequest, CreateJobResponse, JobLinks, SplittingPreference } from '../../../core/api/types.ts';
import { SPLITTING_PREFERENCES } from '../../../core/api/types.ts';
import { LectorError } from '../../../core/errors.ts';
import { unwrap } from '../../../core/result.ts';
import { jobConfig } from '../job/config.ts';
import type { InitializedJob, InitializeJobParams } from '../job/TtsJobDurableObject.ts';
import type { Caller } from '../security/auth.ts';
import { admitJob, releaseJob } from '../security/quota.ts';
import { jobObjectName, jobStub } from './job-address.ts';
import { parseWebhook, subscribeJob, unsubscribeJob, type WebhookSubscription } from '../webhooks/subscription.ts';
import { assertKnownVoice, voiceLimits } from './voices.ts';
import { registerJob, unregisterJob } from './library.ts';
import { parseChunkIndex, parseCreateJob, parseJobId, readJson } from './validate.ts';
import { checkSpeed } from '../../../core/speech-plan.ts';
import { compileLexicon } from '../../../core/lexicon/lexicon.ts';
import { MAX_SSML_JOB_CHARS } from '../job/chunkPlan.ts';
import { parseRedoText } from '../job/PassageRedo.ts';
import { parseInlineAudio, type InlineAudio } from '../job/EventHub.ts';
import { finalizeInput, isBookRequest, isDocumentUpload, parseAudioFormat, prepareJson, prepareUpload, type PreparedBook } from './documents.ts';

type App = AppEnv;

function links(jobId: string): JobLinks {
  const base = `/api/tts/${jobId}`;
  return { self: base, events: `${base}/events`, audio: `${base}/audio`, chunks: `${base}/chunks` };
}

/** Admits, creates and starts a job; the caller's key pays for its characters. */
export async function startJob(env: Env, caller: Caller, params: Omit<InitializeJobParams, 'jobId' | 'ownerKeyId'>, book?: PreparedBook, webhook?: WebhookSubscription): Promise<InitializedJob> {
  // The voice's provider bounds chunk size and chunks in flight.
  const limits = await voiceLimits(env, params.voiceId);
  if (limits) params = { ...params, providerMaxChars: limits.maxChars, providerMaxConcurrency: limits.maxConcurrency };
  const jobId = crypto.randomUUID();
  const keyId = caller.keyId;
  await admitJob(env, keyId, jobId, book ? book.chargeChars : params.text.length);
  let init: InitializedJob;
  const uploads = book ? book.uploads(jobId) : [];
  // Subscribed before the job starts, so its end cannot come first.
  const objectId = webhook ? env.TTS_JOB_DO.idFromName(jobObjectName(jobId, caller)).toString() : '';
  try {
    if (webhook) await subscribeJob(env, objectId, jobId, webhook);
    // A book's EPUB and cover go to R2 first: the job reads them from there.
    for (const u of uploads) await env.TTS_AUDIO_BUCKET.put(u.key, u.bytes, { httpMetadata: { contentType: u.contentType } });
    if (book) params = { ...params, book: finalizeInput(book, jobId) };
    init = unwrap(await jobStub(env, jobId, caller).initializeJob({ ...params, jobId, ownerKeyId: keyId }));
  } catch (e) {
    await releaseJob(env, keyId, jobId, false);
    if (webhook) await unsubscribeJob(env, objectId).catch((d: unknown) => console.warn('webhook cleanup failed', String(d)));
    if (uploads.length > 0) await env.TTS_AUDIO_BUCKET.delete(uploads.map((u) => u.key)).catch((d: unknown) => console.warn('cleanup failed', String(d)));
    throw e;
  }
  return init;
}

async function createJob(env: Env, caller: Caller, req: CreateJobRequest, book?: PreparedBook): Promise<CreateJobResponse> {
  const splitting = (req.splitting ?? 'sentence') as SplittingPreference;
  if (!SPLITTING_PREFERENCES.includes(splitting)) {
    throw new LectorError('unknown_splitting', 400, `splitting must be one of ${SPLITTING_PREFERENCES.join(', ')}`);
  }
  const webhook = parseWebhook(env, req.webhook);
  const voiceId = req.voiceId ?? jobConfig(env as unknown as Record<string, unknown>).defaultVoice;
  await assertKnownVoice(env, voiceId);
  const params: Omit<InitializeJobParams, 'jobId' | 'ownerKeyId'> = { text: req.text, voiceId, splittingPreference: splitting };
  if (req.maxTokens !== undefined) params.maxTokens = req.maxTokens;
  // Voice settings are checked here, before any quota is spent (docs/voice-control.md).
  const speed = checkSpeed(req.speed);
  if (speed !== 1) params.speed = speed;
  if (req.lexicon !== undefined && req.lexicon !== null) {
    compileLexicon(req.lexicon);
    if (req.lexicon.length > 0) params.lexicon = req.lexicon;
  }
  const ssml = req.inputFormat === 'ssml';
  if (ssml) {
    if (book || req.chapters !== undefined) throw new LectorError('validation_failed', 400, 'inputFormat ssml takes text, not chapters or a document', { details: { field: 'inputFormat' } });
    if (req.text.length > MAX_SSML_JOB_CHARS) throw new LectorError('text_too_long', 413, `SSML jobs take at most ${MAX_SSML_JOB_CHARS} characters of markup`);
    params.inputFormat = 'ssml';
  }
  if (req.maxChunkChars !== undefined) params.growChars = await checkMaxChunkChars(env, req.maxChunkChars, voiceId, splitting, ssml);
  const init = await startJob(env, caller, params, book ?? (!ssml && isBookRequest(req) ? prepareJson(req) : undefined), webhook);
  return { ...init, links: links(init.jobId) };
}

/** `maxChunkChars` (range checked by parseCreateJob): sentence splitting of plain text only, at most the provider's limit. */
async function checkMaxChunkChars(env: Env, maxChunkChars: number, voiceId: string, splitting: SplittingPreference, ssml: boolean): Promise<number> {
  const refuse = (message: string) => new LectorError('validation_failed', 400, `maxChunkChars: ${message}`, { details: { field: 'maxChunkChars' } });
  if (ssml) throw refuse('SSML jobs keep one paragraph per chunk; send maxChunkChars with text');
  if (splitting !== 'sentence') throw refuse(`applies to sentence splitting, not ${splitting}`);
  const limits = await voiceLimits(env, voiceId);
  if (limits && maxChunkChars > limits.maxChars) throw refuse(`at most ${limits.maxChars} for voice ${voiceId} (its provider's limit)`);
  return maxChunkChars;
}

/**
 * A creation request: JSON, or a document as the raw body with its options in
 * the query string (`voiceId`, `audioFormat`, `splitting`, `maxChunkChars`, `chapters`, `title`, `author`).
 */
async function readCreateRequest(request: Request, query: (k: string) => string | undefined): Promise<{ req: CreateJobRequest; book?: PreparedBook }> {
  const type = request.headers.get('content-type');
  const speed = query('speed');
  const speedOption = speed !== undefined && speed !== '' ? { speed: Number.isFinite(Number(speed)) ? Number(speed) : speed } : {};
  const maxChunkChars = query('maxChunkChars');
  const chunkOption = maxChunkChars !== undefined && maxChunkChars !== '' ? { maxChunkChars: /^\d{1,7}$/.test(maxChunkChars) ? Number(maxChunkChars) : maxChunkChars } : {};
  if (type && /^application\/ssml\+xml\b/i.test(type.trim())) {
    // SSML as the raw body (docs/voice-control.md); options in the query string.
    const text = new TextDecoder().decode(await request.arrayBuffer());
    return {
      req: parseCreateJob({
        text,
        inputFormat: 'ssml',
        ...speedOption,
        ...chunkOption,
        ...(query('voiceId') ? { voiceId: query('voiceId') } : {}),
        ...(query('splitting') ? { splitting: query('splitting') } : {}),
      }),
    };
  }
  if (!isDocumentUpload(type)) return { req: parseCreateJob(await readJson(request)) };
  const bytes = new Uint8Array(await request.arrayBuffer());
  const req = parseCreateJob({
    text: '',
    ...(query('voiceId') ? { voiceId: query('voiceId') } : {}),
    ...(query('splitting') ? { splitting: query('splitting') } : {}),
    ...(query('order') ? { order: query('order') } : {}),
    ...speedOption,
    ...chunkOption,
  });
  const book = prepareUpload(bytes, type!, { title: query('title'), author: query('author'), audioFormat: parseAudioFormat(query('audioFormat'), 'mp3'), chapters: query('chapters') });
  return { req, book };
}

/** Opens the job's SSE stream in its Durable Object. */
async function openStream(env: Env, caller: Caller, jobId: string, from: number, inline: InlineAudio, order: string): Promise<Response> {
  const params = new URLSearchParams({ from: String(from), inline, order });
  const res = await jobStub(env, jobId, caller).fetch(`https://job/events?${params}`);
  if (!res.ok) return res;
  return new Response(res.body, { headers: res.headers });
}

export const jobRoutes = new Hono<App>()
  .post('/tts', async (c) => {
    const { req, book } = await readCreateRequest(c.req.raw, (k) => c.req.query(k));
    const created = await createJob(c.env, c.get('caller'), req, book);
    await registerJob(c, created, req.text);
    return c.json(created, 202, { location: created.links.self });
  })
  .post('/tts-stream', async (c) => {
    const { req, book } = await readCreateRequest(c.req.raw, (k) => c.req.query(k));
    const created = await createJob(c.env, c.get('caller'), req, book);
    const inline = req.inline === true ? 'all' : req.inline === 'first' ? 'first' : parseInlineAudio(c.req.query('inline'));
    // The stream opens while the job is shelved: the first audio does not wait for the library.
    const [res] = await Promise.all([openStream(c.env, c.get('caller'), created.jobId, -1, inline, req.order ?? 'index'), registerJob(c, created, req.text)]);
    res.headers.set('x-lector-job-id', created.jobId);
    return res;
  })
  .get('/tts/:jobId', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const state = await jobStub(c.env, jobId, c.get('caller')).getJobState(c.req.query('include') === 'chunks');
    if (!state) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
    return c.json(state);
  })
  .get('/tts/:jobId/stats', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const stub = jobStub(c.env, jobId, c.get('caller'));
    if (!(await stub.getJobState(false))) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
    return c.json(await stub.stats());
  })
  .get('/tts/:jobId/events', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const last = c.req.header('last-event-id') ?? c.req.query('from');
    let from = -1;
    if (last !== undefined && last !== '') {
      if (!/^-?\d{1,9}$/.test(last)) throw new LectorError('bad_request', 400, 'Last-Event-ID / from must be a chunk index');
      from = Number(last);
    }
    const inline = parseInlineAudio(c.req.query('inline'));
    return openStream(c.env, c.get('caller'), jobId, from, inline, c.req.query('order') === 'completion' ? 'completion' : 'index');
  })
  .get('/tts/:jobId/chunks/:index', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const index = parseChunkIndex(c.req.param('index'));
    const meta = unwrap(await jobStub(c.env, jobId, c.get('caller')).getAudioChunkMetadata(index));
    if (meta.status !== 'completed' || !meta.r2Key) {
      throw new LectorError('chunk_not_ready', 404, `chunk ${index} is ${meta.status}`, { details: { status: meta.status, lastError: meta.lastError } });
    }
    const obj = await c.env.TTS_AUDIO_BUCKET.get(meta.r2Key);
    if (!obj) throw new LectorError('chunk_not_found', 404, `audio of chunk ${index} is gone`);
    return new Response(obj.body, {
      headers: {
        'content-type': meta.mimeType ?? 'audio/wav',
        'content-length': String(obj.size),
        // Not immutable: a redone passage (PATCH) replaces the audio at this URL.
        'cache-control': 'private, no-cache',
        etag: obj.httpEtag,
        ...(meta.durationMs !== null ? { 'x-lector-duration-ms': String(meta.durationMs) } : {}),
      },
    });
  })
  .patch('/tts/:jobId/chunks/:index', async (c) => {
    // Redo a passage (docs/voice-control.md).
    const jobId = parseJobId(c.req.param('jobId'));
    const index = parseChunkIndex(c.req.param('index'));
    const text = parseRedoText(await readJson(c.req.raw));
    const redone = unwrap(await jobStub(c.env, jobId, c.get('caller')).replaceChunkText(index, text));
    return c.json({ ...redone, links: { chunk: `/api/tts/${jobId}/chunks/${index}`, events: `/api/tts/${jobId}/events?order=completion` } }, 202);
  })
  .delete('/tts/:jobId', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const res = await jobStub(c.env, jobId, c.get('caller')).deleteState();
    const shelved = await unregisterJob(c, jobId);
    if (!res.deleted && !shelved) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
    return c.json({ jobId, deleted: true, objects: res.objects });
  });
