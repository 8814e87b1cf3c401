// The page's calls to the orchestrator API, typed with the shared API types.
import type { LibraryList, PositionUpdate, SavedPosition } from '../core/api/library.ts';
import type { CreateJobRequest, CreateJobResponse, JobAudioFormat, JobState, VoiceInfo } from '../core/api/types.ts';

/** An API answer with an error status: the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** Counts keys entered on this page, so a 401 to a request sent before the last one retries without asking again. */
let keyVersion = 0;

/**
 * fetch that handles a deployment with API keys: on 401 it asks for the key
 * once, keeps it in a same-site cookie (so EventSource, chunk fetches and
 * download links carry it too) and retries.
 */
async function apiFetch(input: string, init?: RequestInit): Promise<Response> {
  const sentWith = keyVersion;
  const res = await fetch(input, init);
  if (res.status !== 401 || typeof window === 'undefined') return res;
  // Several calls start at load; the first 401 asks, the others retry with its answer.
  if (keyVersion !== sentWith) return fetch(input, init);
  const key = window.prompt('This Lector server needs an API key. Enter it to continue:');
  if (!key) return res;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `lector_key=${encodeURIComponent(key.trim())}; Path=/; SameSite=Strict; Max-Age=2592000${secure}`;
  keyVersion++;
  return fetch(input, init);
}

async function readJson<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch (e) {
    console.warn('api: error body is not JSON', e);
  }
  throw new ApiError(res.status, code, message);
}

export async function fetchVoices(signal?: AbortSignal): Promise<VoiceInfo[]> {
  const res = await apiFetch('/api/voices', { signal });
  return (await readJson<{ voices: VoiceInfo[] }>(res)).voices;
}

export async function createJob(req: CreateJobRequest): Promise<CreateJobResponse> {
  const res = await apiFetch('/api/tts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
  return readJson<CreateJobResponse>(res);
}

/** Options of an uploaded book, sent in the query string beside the raw body. */
export interface UploadOptions {
  voiceId: string;
  /** Omitted: the server's default for documents (MP3). */
  audioFormat?: JobAudioFormat;
}

/** Sends a book file as the raw body with its content type (`POST /api/tts`); the job is played like any other. */
export async function uploadBook(body: Blob, contentType: string, o: UploadOptions): Promise<CreateJobResponse> {
  const q = new URLSearchParams({ voiceId: o.voiceId });
  if (o.audioFormat) q.set('audioFormat', o.audioFormat);
  const res = await apiFetch(`/api/tts?${q}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return readJson<CreateJobResponse>(res);
}

export async function fetchJobState(jobId: string): Promise<JobState> {
  const res = await apiFetch(`/api/tts/${encodeURIComponent(jobId)}?include=chunks`);
  return readJson<JobState>(res);
}

/** URLs of a job's resources (the same shape as `CreateJobResponse.links`, plus downloads). */
export function jobUrls(jobId: string) {
  const base = `/api/tts/${encodeURIComponent(jobId)}`;
  return {
    // Chunk 0's audio comes inside its event (`inline=first`): the first sound needs no request after it.
    events: (fromIndex: number) => `${base}/events?from=${fromIndex}&inline=first`,
    chunk: (index: number) => `${base}/chunks/${index}`,
    audio: `${base}/audio`,
    chapter: (n: number) => `${base}/chapters/${n}/audio`,
    vtt: `${base}/captions.vtt`,
    srt: `${base}/captions.srt`,
  };
}

/** One page of the caller's jobs, newest first. */
export async function fetchLibrary(cursor?: string | null, limit = 20): Promise<LibraryList> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  return readJson<LibraryList>(await apiFetch(`/api/tts?${q}`));
}

export async function deleteJob(jobId: string): Promise<void> {
  await readJson<unknown>(await apiFetch(`/api/tts/${encodeURIComponent(jobId)}`, { method: 'DELETE' }));
}

/** The position saved on the server for a job, or null (none saved, or not in this caller's library). */
export async function fetchServerPosition(jobId: string): Promise<SavedPosition | null> {
  const res = await apiFetch(`/api/tts/${encodeURIComponent(jobId)}/position`);
  if (res.status === 404) return null;
  return (await readJson<{ position: SavedPosition | null }>(res)).position;
}

/** Saves the position on the server; `keepalive` lets it finish while the page unloads. */
export async function putServerPosition(jobId: string, p: PositionUpdate, keepalive = false): Promise<void> {
  const res = await fetch(`/api/tts/${encodeURIComponent(jobId)}/position`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(p),
    keepalive,
  });
  await readJson<unknown>(res);
}
