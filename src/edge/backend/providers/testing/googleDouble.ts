// A test double of Google Cloud Text-to-Speech `v1/text:synthesize`, written
// from the documented request and response shapes (no machine here reaches
// Google). Web-standard (Request → Response), so it runs as a fetch function
// inside workerd and, wrapped by test/support/google-tts-double.ts, as a local
// HTTP server for the whole stack.
//   POST /v1/text:synthesize?key=KEY (or header x-goog-api-key: KEY)
//   { input: { text }, voice: { languageCode, name }, audioConfig: { audioEncoding, sampleRateHertz? } }
//   → 200 { audioContent: base64 }  (LINEAR16 carries a WAV header; MP3 is MPEG frames)
//   errors → { error: { code, message, status } }
// https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize
import { encodeWav } from '../../../../core/audio/wav.ts';
import { bytesToBase64 } from '../../../../core/base64.ts';

export const DOUBLE_API_KEY = 'test-google-key';
export const DOUBLE_VOICES = ['en-US-Neural2-C', 'en-US-Standard-B', 'de-DE-Wavenet-A'] as const;
/** Sample rate of LINEAR16 when the request names none (Neural2 voices' natural rate). */
export const DOUBLE_DEFAULT_RATE = 24_000;
/** Milliseconds of audio per character of input. */
export const DOUBLE_MS_PER_CHAR = 40;

export interface DoubleRequest {
  key: string | null;
  body: unknown;
}

export interface DoubleFault {
  code: number;
  status: string;
  message: string;
  /** Also send Retry-After (seconds). */
  retryAfterSeconds?: number;
}

export interface GoogleTtsDouble {
  fetch(request: Request): Promise<Response>;
  /** Every request the double received, in order. */
  readonly requests: DoubleRequest[];
  /** Answer the next `times` synthesize calls with this error. */
  failNext(fault: DoubleFault, times?: number): void;
}

export function createGoogleTtsDouble(opts: { apiKey?: string } = {}): GoogleTtsDouble {
  const apiKey = opts.apiKey ?? DOUBLE_API_KEY;
  const requests: DoubleRequest[] = [];
  const faults: DoubleFault[] = [];

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/v1/text:synthesize') return googleError(404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`);
    if (request.method !== 'POST') return googleError(405, 'METHOD_NOT_ALLOWED', `Method ${request.method} not allowed`);
    const key = url.searchParams.get('key') ?? request.headers.get('x-goog-api-key');
    let body: unknown;
    try {
      body = await request.json();
    } catch (e) {
      requests.push({ key, body: null });
      return googleError(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${String(e)}`);
    }
    requests.push({ key, body });
    if (!key) return googleError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    if (key !== apiKey) return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    const fault = faults.shift();
    if (fault) return googleError(fault.code, fault.status, fault.message, fault.retryAfterSeconds);
    const req = body as { input?: { text?: unknown }; voice?: { languageCode?: unknown; name?: unknown }; audioConfig?: { audioEncoding?: unknown; sampleRateHertz?: unknown } };
    const text = req.input?.text;
    if (typeof text !== 'string' || text === '') return googleError(400, 'INVALID_ARGUMENT', 'Either `input.text` or `input.ssml` must be set.');
    if (new TextEncoder().encode(text).byteLength > 5000) {
      return googleError(400, 'INVALID_ARGUMENT', 'Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes. This limit is different from quotas.');
    }
    const languageCode = req.voice?.languageCode;
    if (typeof languageCode !== 'string' || languageCode === '') return googleError(400, 'INVALID_ARGUMENT', 'Invalid value for field `voice.language_code`: must be set.');
    const name = req.voice?.name;
    if (typeof name !== 'string' || !(DOUBLE_VOICES as readonly string[]).includes(name) || !name.startsWith(`${languageCode}-`)) {
      return googleError(400, 'INVALID_ARGUMENT', `Voice '${String(name)}' does not exist. Is it misspelled?`);
    }
    const encoding = req.audioConfig?.audioEncoding;
    const rate = req.audioConfig?.sampleRateHertz ?? DOUBLE_DEFAULT_RATE;
    if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 8000 || rate > 48_000) {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid value for field `audio_config.sample_rate_hertz`.');
    }
    let audio: Uint8Array;
    if (encoding === 'LINEAR16') audio = doubleWav(text, name, rate);
    else if (encoding === 'MP3') audio = doubleMp3(text);
    else return googleError(400, 'INVALID_ARGUMENT', `Invalid value for field \`audio_config.audio_encoding\`: ${String(encoding)}.`);
    return Response.json({ audioContent: bytesToBase64(audio) });
  }

  return {
    fetch: handle,
    requests,
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
  };
}

function googleError(code: number, status: string, message: string, retryAfterSeconds?: number): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return new Response(JSON.stringify({ error: { code, message, status } }), { status: code, headers });
}

/** The PCM the double speaks for `text` in `voice`: a tone per voice, as long as the text asks. */
export function doublePcm(text: string, voice: string, sampleRate: number): Uint8Array {
  const frames = Math.round((text.length * DOUBLE_MS_PER_CHAR * sampleRate) / 1000);
  const freq = 200 + 50 * Math.max(0, DOUBLE_VOICES.indexOf(voice as (typeof DOUBLE_VOICES)[number]));
  const pcm = new Uint8Array(frames * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < frames; i++) view.setInt16(i * 2, Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / sampleRate)), true);
  return pcm;
}

/** LINEAR16 as Google returns it: with a WAV header. */
export function doubleWav(text: string, voice: string, sampleRate: number): Uint8Array {
  return encodeWav(doublePcm(text, voice, sampleRate), { sampleRate, channels: 1, bitsPerSample: 16 });
}

/** MPEG-1 layer III frames (32 kb/s, 48 kHz, mono: 96 bytes and 24 ms each) with silent payloads. */
export function doubleMp3(text: string): Uint8Array {
  const frames = Math.max(1, Math.ceil((text.length * DOUBLE_MS_PER_CHAR) / 24));
  const out = new Uint8Array(frames * 96);
  for (let f = 0; f < frames; f++) out.set([0xff, 0xfb, 0x14, 0xc4], f * 96);
  return out;
}
