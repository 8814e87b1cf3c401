// The orchestrator's HTTP API as the CLI uses it: one fetch wrapper that adds
// the API key, turns network failures into "unreachable" and error bodies into
// "rejected", and typed calls for voices, jobs, event streams and audio.
import type { CreateJobRequest, CreateJobResponse, JobState, VoiceInfo } from '../core/api/types.ts';
import { CliError, EXIT, describeNetworkError, usageError } from './errors.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:8787';

export interface ClientOptions {
  /** Base URL of the orchestrator, e.g. `http://127.0.0.1:8787`. */
  serverUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
}

/** Checks and normalizes a server URL (no trailing slash). */
export function parseServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--server: "${raw}" is not a URL`, 'example: --server http://127.0.0.1:8787');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--server: only http and https URLs are supported, not ${url.protocol}`);
  return url.href.replace(/\/+$/, '');
}

export class LectorClient {
  readonly serverUrl: string;
  private readonly apiKey: string | undefined;

  constructor(opts: ClientOptions) {
    this.serverUrl = opts.serverUrl;
    this.apiKey = opts.apiKey || undefined;
  }

  async voices(signal?: AbortSignal): Promise<VoiceInfo[]> {
    const res = await this.request('/api/voices', { signal });
    return ((await res.json()) as { voices: VoiceInfo[] }).voices;
  }

  async createJob(body: CreateJobRequest, signal?: AbortSignal): Promise<CreateJobResponse> {
    const res = await this.request('/api/tts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    return (await res.json()) as CreateJobResponse;
  }

  /** Uploads a document (EPUB, Markdown, HTML, text) as a book job; `query` carries its options. */
  async createBook(bytes: Uint8Array, contentType: string, query: Record<string, string>, signal?: AbortSignal): Promise<CreateJobResponse> {
    const qs = new URLSearchParams(query).toString();
    const res = await this.request(`/api/tts${qs ? `?${qs}` : ''}`, { method: 'POST', headers: { 'content-type': contentType }, body: bytes, signal });
    return (await res.json()) as CreateJobResponse;
  }

  async jobState(jobId: string, signal?: AbortSignal): Promise<JobState> {
    const res = await this.request(`/api/tts/${encodeURIComponent(jobId)}`, { signal });
    return (await res.json()) as JobState;
  }

  /** Opens the job's event stream after chunk `lastEventId` (all chunks when undefined). */
  openEvents(jobId: string, lastEventId: string | undefined, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    return this.request(`/api/tts/${encodeURIComponent(jobId)}/events`, { headers, signal });
  }

  /** The whole job as one WAV, streamed. */
  openAudio(jobId: string, signal?: AbortSignal): Promise<Response> {
    return this.request(`/api/tts/${encodeURIComponent(jobId)}/audio`, { headers: { accept: 'audio/wav' }, signal });
  }

  /** fetch with auth; resolves only for 2xx answers. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.apiKey) headers.set('authorization', `Bearer ${this.apiKey}`);
    const url = `${this.serverUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new CliError(EXIT.unreachable, `cannot reach the Lector server at ${this.serverUrl} (${describeNetworkError(e)})`, {
        hint: 'is it running? start it with `npm start`, or point --server / LECTOR_SERVER at it',
        cause: e,
      });
    }
    if (!res.ok) throw await rejection(res, init.method ?? 'GET', path);
    return res;
  }
}

/** Builds the error for a non-2xx answer from the server's `{ error: { code, message } }` body. */
async function rejection(res: Response, method: string, path: string): Promise<CliError> {
  const text = await res.text().catch(() => '');
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall back to the status line below.
  }
  const what = message ?? (text.trim().slice(0, 200) || res.statusText || 'no details');
  const hint = res.status === 401 || res.status === 403 ? 'set LECTOR_API_KEY to a key the server accepts' : undefined;
  return new CliError(EXIT.rejected, `server refused ${method} ${path}: ${what} (${code ?? 'http'} ${res.status})`, {
    code,
    status: res.status,
    hint,
  });
}
