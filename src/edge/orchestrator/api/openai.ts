// OpenAI-compatible `POST /v1/audio/speech` for long-form input: any length up
// to a job's limit (far over OpenAI's 4,096 characters). It runs a normal job
// whose chunks the synthesis tier encodes in the asked format, and streams the
// audio as the chunks complete, in order, with the designed pauses. The edge
// only concatenates or re-frames bytes (see LongFormStream.ts).
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { LectorError } from '../../../core/errors.ts';
import { OPENAI_VOICE_NAMES, RESPONSE_CONTENT_TYPES, speechRequestSchema } from '../../../core/openai/speech.ts';
import { chunkFormatFor, pipeLongForm } from './LongFormStream.ts';
import { jobStub } from './job-address.ts';
import { startJob } from './jobs.ts';
import { readJson } from './validate.ts';
import { assertKnownVoice, voiceLimits } from './voices.ts';

type App = AppEnv;

/** OpenAI's error shape: `{ error: { message, type, param, code } }`. */
function openAiError(e: LectorError): Response {
  const body = { error: { message: e.message, type: e.status < 500 ? 'invalid_request_error' : 'server_error', param: null, code: e.code } };
  return new Response(JSON.stringify(body), { status: e.status, headers: { 'content-type': 'application/json' } });
}

/**
 * The voice id to run, checked before a job is created (and charged): it must
 * route to a provider (an OpenAI name like `alloy` goes to the default provider
 * only when that one is OpenAI-compatible), and that provider must make the
 * chunk format the response needs, since the edge never decodes or encodes.
 */
async function streamableVoice(env: Env, voice: string, chunkFormat: string): Promise<string> {
  const openAiName = OPENAI_VOICE_NAMES.includes(voice.toLowerCase());
  const voiceId = openAiName ? voice.toLowerCase() : voice;
  if (!openAiName) await assertKnownVoice(env, voiceId);
  const limits = await voiceLimits(env, voiceId);
  if (!limits) {
    throw new LectorError('unknown_voice', 400, `voice "${voiceId.slice(0, 100)}" is not offered here: the default provider does not take OpenAI voice names; see GET /api/voices`);
  }
  if (!limits.formats.includes(chunkFormat as (typeof limits.formats)[number])) {
    throw new LectorError(
      'unsupported_format',
      400,
      `voice "${voiceId.slice(0, 100)}" cannot make ${chunkFormat} audio (its provider makes ${limits.formats.join(', ')}); choose another response_format or voice`,
    );
  }
  return voiceId;
}

export const openAiRoutes = new Hono<App>().post('/audio/speech', async (c) => {
  try {
    const parsed = speechRequestSchema.safeParse(await readJson(c.req.raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LectorError('validation_failed', 400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const req = parsed.data;
    // OpenAI's default.
    const format = req.response_format ?? 'mp3';
    const chunkFormat = chunkFormatFor(format);
    const voiceId = await streamableVoice(c.env, req.voice, chunkFormat);
    const caller = c.get('caller');
    const { jobId } = await startJob(c.env, caller, {
      text: req.input,
      voiceId,
      splittingPreference: 'sentence',
      ...(req.speed !== undefined && req.speed !== 1 ? { speed: req.speed } : {}),
      // Chunks in the response's codec; no assembled book for a stream.
      book: { title: null, author: null, audioFormat: chunkFormat, assemble: false, text: req.input },
    });
    const stub = jobStub(c.env, jobId, caller);
    const events = await stub.fetch(`https://job/events?from=-1&order=index`);
    if (!events.ok || !events.body) throw new LectorError('internal', 500, 'job stream unavailable');
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    c.executionCtx.waitUntil(pipeLongForm(c.env.TTS_AUDIO_BUCKET, jobId, events.body, writable, format));
    return new Response(readable, {
      headers: { 'content-type': RESPONSE_CONTENT_TYPES[format], 'x-lector-job-id': jobId, 'cache-control': 'no-store' },
    });
  } catch (e) {
    if (e instanceof LectorError) return openAiError(e);
    throw e;
  }
});
