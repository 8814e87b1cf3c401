// A book job's assembled files: the whole book and each chapter, one R2 object
// each, served with Content-Length and byte ranges (206); and the chapters as a
// WebVTT chapters track.
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { LectorError } from '../../../core/errors.ts';
import { formatVttTime } from '../../../core/captions.ts';
import { jobStub } from './job-address.ts';
import { joinerFor } from './LongFormStream.ts';
import type { Caller } from '../security/auth.ts';
import { parseJobId } from './validate.ts';

type BookFile = { key: string; mimeType: string; complete: boolean; durationMs: number | null };

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range; several are answered whole). */
export function parseRange(header: string | undefined, size: number): { offset: number; length: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { offset: start, length: end - start + 1 };
}

/** Streams an assembled file from R2, honouring a Range header. */
export async function serveBookFile(bucket: R2Bucket, file: BookFile, rangeHeader: string | undefined, filename: string): Promise<Response> {
  const head = await bucket.head(file.key);
  if (!head) throw new LectorError('book_not_ready', 409, 'the assembled file is not in storage');
  const range = parseRange(rangeHeader, head.size);
  const headers: Record<string, string> = {
    'content-type': file.mimeType,
    'accept-ranges': 'bytes',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'private, max-age=3600',
    etag: head.httpEtag,
  };
  if (file.durationMs !== null) headers['x-lector-duration-ms'] = String(Math.round(file.durationMs));
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${head.size}` } });
  }
  const obj = await bucket.get(file.key, range ? { range } : {});
  if (!obj) throw new LectorError('book_not_ready', 409, 'the assembled file is not in storage');
  if (range) {
    headers['content-range'] = `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}`;
    headers['content-length'] = String(range.length);
    return new Response(obj.body, { status: 206, headers });
  }
  headers['content-length'] = String(head.size);
  return new Response(obj.body, { status: 200, headers });
}

/**
 * `?partial=1` on an unfinished MP3 or Opus job: its finished prefix, joined
 * as the long-form stream joins chunks (silent frames for pauses, Ogg
 * re-framed). Null when the job's chunks are WAV (the WAV route does those).
 * Reads one R2 object per finished chunk, so on a deployed Worker it suits
 * prefixes under ~1,000 chunks.
 */
export async function streamCompressedPrefix(env: Env, caller: Caller, jobId: string, executionCtx: { waitUntil(p: Promise<unknown>): void }): Promise<Response | null> {
  const plan = await jobStub(env, jobId, caller).getAudioPlan(false);
  if (!plan) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
  let n = 0;
  while (n < plan.chunks.length && plan.chunks[n]!.index === n) n++;
  const chunks = plan.chunks.slice(0, n);
  const ext = chunks[0]?.r2Key.slice(chunks[0].r2Key.lastIndexOf('.') + 1);
  if (ext !== 'mp3' && ext !== 'opus') return null;
  const joiner = joinerFor(ext);
  const bucket = env.TTS_AUDIO_BUCKET;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const write = async (): Promise<void> => {
    const writer = writable.getWriter();
    try {
      for (const [i, ch] of chunks.entries()) {
        const obj = await bucket.get(ch.r2Key);
        if (!obj) throw new Error(`chunk ${ch.index} audio is gone`);
        for (const part of joiner.chunk(new Uint8Array(await obj.arrayBuffer()), i, ch.paragraphStart)) await writer.write(part);
      }
      for (const part of joiner.finish()) await writer.write(part);
      await writer.close();
    } catch (e) {
      console.error('partial audio stream aborted', jobId, String(e));
      await writer.abort(e);
    }
  };
  executionCtx.waitUntil(write());
  return new Response(readable, {
    headers: { 'content-type': ext === 'mp3' ? 'audio/mpeg' : 'audio/ogg; codecs=opus', 'content-disposition': `attachment; filename="lector-${jobId}-partial.${ext}"`, 'x-lector-chunks': String(chunks.length) },
  });
}

function notReady(what: string): LectorError {
  return new LectorError('book_not_ready', 409, `${what} is still being made; GET /api/tts/{id} shows the book's status`);
}

function safeName(s: string): string {
  return s.replace(/[^\p{L}\p{N} ._-]+/gu, '').trim().slice(0, 80) || 'lector';
}

export const bookRoutes = new Hono<AppEnv>()
  .get('/tts/:jobId/chapters/:n/audio', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const n = c.req.param('n');
    if (!/^\d{1,6}$/.test(n)) throw new LectorError('chapter_not_found', 404, 'chapter must be the index listed in the job state');
    const stub = jobStub(c.env, jobId, c.get('caller'));
    const file = await stub.getBookFile(Number(n));
    if (!file) {
      const state = await stub.getJobState(false);
      if (!state) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
      if (!state.chapters.some((ch) => ch.index === Number(n))) throw new LectorError('chapter_not_found', 404, `the job has no chapter ${n}`);
      throw notReady(`chapter ${n}`);
    }
    if (!file.complete) throw notReady(`chapter ${n}`);
    const ext = file.key.slice(file.key.lastIndexOf('.'));
    return serveBookFile(c.env.TTS_AUDIO_BUCKET, file, c.req.header('range'), `${safeName(`chapter-${n}`)}${ext}`);
  })
  .get('/tts/:jobId/chapters.vtt', async (c) => {
    const jobId = parseJobId(c.req.param('jobId'));
    const stub = jobStub(c.env, jobId, c.get('caller'));
    const state = await stub.getJobState(false);
    if (!state) throw new LectorError('job_not_found', 404, `no job ${jobId}`);
    const starts = await stub.getBookChapters();
    const book = await stub.getBookFile(null);
    if (!starts || !book?.complete || book.durationMs === null) throw notReady('the book');
    const end = book.durationMs;
    const lines = ['WEBVTT', ''];
    starts.forEach((s, i) => {
      const until = i + 1 < starts.length ? starts[i + 1]!.startMs : end;
      lines.push(`chapter-${s.index}`, `${formatVttTime(s.startMs)} --> ${formatVttTime(until)}`, s.title, '');
    });
    return new Response(lines.join('\n'), { headers: { 'content-type': 'text/vtt; charset=utf-8' } });
  });
