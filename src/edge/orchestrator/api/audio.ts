// A job's whole audio as one WAV (one header, all PCM in order, designed
// pauses) and its captions, assembled from the chunk objects in R2.
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { DEFAULT_PAUSES, MAX_PAUSE_MS, layoutTimeline, type PauseOptions } from '../../../core/audio/timeline.ts';
import { WAV_HEADER_BYTES, parseWav, wavHeader, type PcmFormat } from '../../../core/audio/wav.ts';
import { toSrt, toWebVtt, type CaptionLevel } from '../../../core/captions.ts';
import { LectorError } from '../../../core/errors.ts';
import type { AudioPlan } from '../job/TtsJobDurableObject.ts';
import type { Caller } from '../security/auth.ts';
import { jobStub } from './job-address.ts';
import { parseJobId } from './validate.ts';
import { serveBookFile, streamCompressedPrefix } from './book.ts';
import { bookClock, measureChunk, type MeasuredChunk } from '../../../core/audio/book/measure.ts';
import { layoutEncodedBook, pauseKind } from '../../../core/audio/book/timeline.ts';

type App = AppEnv;

function pauses(q: (k: string) => string | undefined): PauseOptions {
  const read = (name: string, dflt: number): number => {
    const v = q(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > MAX_PAUSE_MS) throw new LectorError('bad_request', 400, `${name} must be an integer from 0 to ${MAX_PAUSE_MS}`);
    return n;
  };
  return { sentencePauseMs: read('sentencePauseMs', DEFAULT_PAUSES.sentencePauseMs), paragraphPauseMs: read('paragraphPauseMs', DEFAULT_PAUSES.paragraphPauseMs) };
}

/** The job's plan; by default only a completed job, with `?partial=1` its completed prefix too. */
async function loadPlan(env: Env, caller: Caller, jobId: string, partial: boolean, withText: boolean): Promise<AudioPlan> {
  const plan = await jobStub(env, jobId, caller).getAudioPlan(withText);
  if (!plan) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
  if (plan.status !== 'completed' && !partial) {
    throw new LectorError('chunk_not_ready', 409, `job is ${plan.status} (${plan.chunks.length} of ${plan.total} chunks done); add ?partial=1 for the finished part`, {
      details: { status: plan.status, completed: plan.chunks.length, total: plan.total },
    });
  }
  // The contiguous prefix only: a gap would misplace everything after it.
  let n = 0;
  while (n < plan.chunks.length && plan.chunks[n]!.index === n) n++;
  plan.chunks = plan.chunks.slice(0, n);
  if (plan.chunks.length === 0) throw new LectorError('chunk_not_ready', 409, 'no finished audio yet');
  return plan;
}

/** The plan's chunk format by its keys: `wav`, or a compressed one (`mp3`, `opus`, `aac`). */
function chunkExt(plan: AudioPlan): string {
  const exts = new Set(plan.chunks.map((ch) => ch.r2Key.slice(ch.r2Key.lastIndexOf('.') + 1)));
  if (exts.size > 1) throw new LectorError('unsupported_format', 409, `this job's chunks mix formats (${[...exts].join(', ')})`);
  return [...exts][0] ?? 'wav';
}

/**
 * Caption times of compressed chunks, exactly as the book writers place them:
 * each chunk measured from its bytes (frames, granules), pauses rounded to whole
 * frames or packets. Reads every chunk once.
 */
async function encodedTimeline(bucket: R2Bucket, plan: AudioPlan, format: 'mp3' | 'opus', p: PauseOptions): Promise<{ startMs: number; endMs: number }[]> {
  const measured: MeasuredChunk[] = [];
  for (const ch of plan.chunks) {
    const obj = await bucket.get(ch.r2Key);
    if (!obj) throw new LectorError('chunk_not_found', 404, `audio of chunk ${ch.index} is gone`);
    measured.push(measureChunk(format, new Uint8Array(await obj.arrayBuffer())));
  }
  const clock = bookClock(measured[0]!, p);
  return layoutEncodedBook(
    measured.map((m, i) => ({ occupiedSamples: m.occupiedSamples, leadSamples: m.leadSamples, playableSamples: m.playableSamples, pause: pauseKind(i, plan.chunks[i]!.paragraphStart) })),
    clock,
  ).chunks;
}

async function readFormat(bucket: R2Bucket, key: string): Promise<PcmFormat> {
  const head = await bucket.get(key, { range: { offset: 0, length: WAV_HEADER_BYTES } });
  if (!head) throw new LectorError('chunk_not_found', 404, 'chunk audio is gone');
  return parseWav(new Uint8Array(await head.arrayBuffer())).format;
}

export const audioRoutes = new Hono<App>()
  .get('/tts/:jobId/audio', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    // A book job's assembled file is one R2 object: served whole, with ranges.
    const book = await jobStub(c.env, jobId, c.get('caller')).getBookFile(null);
    if (book?.complete) return serveBookFile(c.env.TTS_AUDIO_BUCKET, book, c.req.header('range'), `lector-${jobId}${book.key.slice(book.key.lastIndexOf('.'))}`);
    const partial = c.req.query('partial') === '1';
    if (!partial && book && !book.key.endsWith('.wav')) {
      throw new LectorError('book_not_ready', 409, 'the book is still being assembled; add ?partial=1 for the finished part');
    }
    // Compressed chunks (an MP3 provider, an unfinished MP3/Opus book) are joined by bytes.
    if (partial || (await jobStub(c.env, jobId, c.get('caller')).getJobState(false))?.status === 'completed') {
      const joined = await streamCompressedPrefix(c.env, c.get('caller'), jobId, c.executionCtx);
      if (joined) return joined;
    }
    const format = c.req.query('format') ?? 'wav';
    if (format !== 'wav') throw new LectorError('bad_request', 400, 'format must be wav (see docs/api.md: no MP3/Opus encoder runs here)');
    const plan = await loadPlan(c.env, c.get('caller'), jobId, c.req.query('partial') === '1', false);
    if (chunkExt(plan) !== 'wav') throw new LectorError('unsupported_format', 409, `this job's chunks are ${chunkExt(plan)}; download them one by one`);
    const bucket = c.env.TTS_AUDIO_BUCKET;
    const pcmFormat = await readFormat(bucket, plan.chunks[0]!.r2Key);
    const { placed, dataBytes } = layoutTimeline(
      plan.chunks.map((ch) => ({ index: ch.index, paragraphStart: ch.paragraphStart, pcmBytes: ch.bytes - WAV_HEADER_BYTES, ...(ch.pauseBeforeMs !== undefined ? { pauseBeforeMs: ch.pauseBeforeMs } : {}) })),
      pcmFormat,
      pauses((k) => c.req.query(k)),
    );
    // A fixed-length stream keeps Content-Length on the response, so clients can show download progress.
    const { readable, writable } = new FixedLengthStream(WAV_HEADER_BYTES + dataBytes);
    const write = async (): Promise<void> => {
      const writer = writable.getWriter();
      try {
        await writer.write(wavHeader(pcmFormat, dataBytes));
        for (let i = 0; i < placed.length; i++) {
          const p = placed[i]!;
          if (p.pauseBytes > 0) await writer.write(new Uint8Array(p.pauseBytes));
          const obj = await bucket.get(plan.chunks[i]!.r2Key, { range: { offset: WAV_HEADER_BYTES } });
          if (!obj) throw new Error(`chunk ${p.index} audio is gone`);
          const pcm = new Uint8Array(await obj.arrayBuffer());
          if (pcm.byteLength !== p.pcmBytes) throw new Error(`chunk ${p.index}: ${pcm.byteLength} PCM bytes, expected ${p.pcmBytes}`);
          await writer.write(pcm);
        }
        await writer.close();
      } catch (e) {
        console.error('full audio stream aborted', jobId, String(e));
        await writer.abort(e);
      }
    };
    c.executionCtx.waitUntil(write());
    return new Response(readable, {
      headers: {
        'content-type': 'audio/wav',
        'content-length': String(WAV_HEADER_BYTES + dataBytes),
        'content-disposition': `attachment; filename="lector-${jobId}.wav"`,
        'x-lector-chunks': String(placed.length),
      },
    });
  })
  .get('/tts/:jobId/:file{captions\\.(vtt|srt)}', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const plan = await loadPlan(c.env, c.get('caller'), jobId, c.req.query('partial') === '1', true);
    const ext = chunkExt(plan);
    let placed: { startMs: number; endMs: number }[];
    if (ext === 'mp3' || ext === 'opus') {
      placed = await encodedTimeline(c.env.TTS_AUDIO_BUCKET, plan, ext, pauses((k) => c.req.query(k)));
    } else if (ext === 'wav') {
      const pcmFormat = await readFormat(c.env.TTS_AUDIO_BUCKET, plan.chunks[0]!.r2Key);
      placed = layoutTimeline(
        plan.chunks.map((ch) => ({ index: ch.index, paragraphStart: ch.paragraphStart, pcmBytes: ch.bytes - WAV_HEADER_BYTES, ...(ch.pauseBeforeMs !== undefined ? { pauseBeforeMs: ch.pauseBeforeMs } : {}) })),
        pcmFormat,
        pauses((k) => c.req.query(k)),
      ).placed;
    } else {
      throw new LectorError('unsupported_format', 409, `captions are made for WAV, MP3 and Opus chunks, not ${ext}`);
    }
    const cues = placed.map((p, i) => ({ text: plan.chunks[i]!.text ?? '', startMs: p.startMs, endMs: p.endMs, words: plan.chunks[i]!.words }));
    const level: CaptionLevel = c.req.query('level') === 'word' ? 'word' : 'sentence';
    const vtt = c.req.param('file').endsWith('.vtt');
    return new Response(vtt ? toWebVtt(cues, level) : toSrt(cues, level), {
      headers: {
        'content-type': vtt ? 'text/vtt; charset=utf-8' : 'application/x-subrip; charset=utf-8',
        'content-disposition': `attachment; filename="lector-${jobId}.${vtt ? 'vtt' : 'srt'}"`,
      },
    });
  });
