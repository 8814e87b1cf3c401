// OpenAI-compatible `POST /v1/audio/speech` for long-form input: any length up
// to a job's limit (far over OpenAI's 4,096 characters). It runs a normal job
// and streams its audio as the chunks complete, in order, with the designed
// pauses — the first bytes arrive after about one chunk's synthesis.
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { DEFAULT_PAUSES, pauseBeforeMs } from '../../../core/audio/timeline.ts';
import { WAV_HEADER_BYTES, parseWav, silenceBytes, wavHeader } from '../../../core/audio/wav.ts';
import type { ChunkEventData } from '../../../core/api/types.ts';
import { LectorError } from '../../../core/errors.ts';
import { OPENAI_VOICE_NAMES, speechRequestSchema } from '../../../core/openai/speech.ts';
import { chunkAudioKey } from '../../../core/ids.ts';
import { SseParser } from '../../../core/sse.ts';
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
 * only when that one is OpenAI-compatible), and its chunks must be PCM WAV,
 * since this route streams one WAV or raw PCM and never decodes MP3 at the edge.
 */
async function streamableVoice(env: Env, voice: string): Promise<string> {
  const openAiName = OPENAI_VOICE_NAMES.includes(voice.toLowerCase());
  const voiceId = openAiName ? voice.toLowerCase() : voice;
  if (!openAiName) await assertKnownVoice(env, voiceId);
  const limits = await voiceLimits(env, voiceId);
  if (!limits) {
    throw new LectorError('unknown_voice', 400, `voice "${voiceId.slice(0, 100)}" is not offered here: the default provider does not take OpenAI voice names; see GET /api/voices`);
  }
  if (limits.format !== 'wav') {
    throw new LectorError(
      'unsupported_format',
      400,
      `voice "${voiceId.slice(0, 100)}" returns ${limits.format.toUpperCase()} chunks; /v1/audio/speech streams WAV or PCM, so choose a voice whose provider returns PCM`,
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
    if (req.speed !== undefined && req.speed !== 1) throw new LectorError('bad_request', 400, 'speed other than 1.0 is not supported for long-form jobs yet');
    const format = req.response_format ?? 'wav';
    if (format !== 'wav' && format !== 'pcm') throw new LectorError('unsupported_format', 400, `response_format ${format} is not streamed for long-form jobs yet; use wav or pcm`);
    const voiceId = await streamableVoice(c.env, req.voice);
    const caller = c.get('caller');
    const { jobId } = await startJob(c.env, caller, { text: req.input, voiceId, splittingPreference: 'sentence' });
    const stub = jobStub(c.env, jobId, caller);
    const events = await stub.fetch(`https://job/events?from=-1&order=index`);
    if (!events.ok || !events.body) throw new LectorError('internal', 500, 'job stream unavailable');
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    c.executionCtx.waitUntil(pipeAudio(c.env.TTS_AUDIO_BUCKET, jobId, events.body, writable, format));
    return new Response(readable, {
      headers: {
        'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm',
        'x-lector-job-id': jobId,
        'cache-control': 'no-store',
      },
    });
  } catch (e) {
    if (e instanceof LectorError) return openAiError(e);
    throw e;
  }
});

/** Follows the job's events and writes each chunk's PCM in order, with pauses. */
async function pipeAudio(bucket: R2Bucket, jobId: string, events: ReadableStream<Uint8Array>, out: WritableStream<Uint8Array>, format: 'wav' | 'pcm'): Promise<void> {
  const writer = out.getWriter();
  const reader = events.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  let position = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('job stream ended early');
      for (const ev of parser.push(value)) {
        if (ev.event === 'end') {
          await writer.close();
          return;
        }
        if (ev.event === 'error') throw new Error(`job failed: ${ev.data}`);
        if (ev.event !== 'message') continue;
        const chunk = JSON.parse(ev.data) as ChunkEventData;
        const obj = await bucket.get(chunkAudioKey(jobId, chunk.index, 'wav'));
        if (!obj) throw new Error(`chunk ${chunk.index} audio missing`);
        const wav = parseWav(new Uint8Array(await obj.arrayBuffer()));
        // Streaming WAV: sizes unknown up front, so the header carries the maximum (a common convention).
        if (position === 0 && format === 'wav') await writer.write(wavHeader(wav.format, 0xffffffff - WAV_HEADER_BYTES));
        const pause = silenceBytes(pauseBeforeMs(position, chunk.paragraphStart, DEFAULT_PAUSES), wav.format);
        if (pause > 0) await writer.write(new Uint8Array(pause));
        await writer.write(wav.pcm);
        position++;
      }
    }
  } catch (e) {
    console.error('v1/audio/speech stream aborted', String(e));
    await reader.cancel().catch(() => undefined);
    await writer.abort(e).catch(() => undefined);
  }
}
