// The page's calls to the orchestrator API, typed with the shared API types.
import type { CreateJobRequest, CreateJobResponse, JobState, VoiceInfo } from '../core/api/types.ts';

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

/**
 * fetch that handles a deployment with API keys: on 401 it asks for the key
 * once, keeps it in a same-site cookie (so EventSource, chunk fetches and
 * download links carry it too) and retries.
 */
async function apiFetch(input: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.status !== 401 || typeof window === 'undefined') return res;
  const key = window.prompt('This Lector server needs an API key. Enter it to continue:');
  if (!key) return res;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `lector_key=${encodeURIComponent(key.trim())}; Path=/; SameSite=Strict; Max-Age=2592000${secure}`;
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

export async function fetchJobState(jobId: string): Promise<JobState> {
  const res = await apiFetch(`/api/tts/${encodeURIComponent(jobId)}?include=chunks`);
  return readJson<JobState>(res);
}

/** URLs of a job's resources (the same shape as `CreateJobResponse.links`, plus downloads). */
export function jobUrls(jobId: string) {
  const base = `/api/tts/${encodeURIComponent(jobId)}`;
  return {
    events: (fromIndex: number) => `${base}/events?from=${fromIndex}`,
    chunk: (index: number) => `${base}/chunks/${index}`,
    audio: `${base}/audio`,
    vtt: `${base}/captions.vtt`,
    srt: `${base}/captions.srt`,
  };
}
