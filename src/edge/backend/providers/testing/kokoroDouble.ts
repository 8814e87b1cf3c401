// A test double of Kokoro-FastAPI, written from its source (remsky/Kokoro-FastAPI,
// api/src/routers/openai_compatible.py and development.py, api/src/structures/schemas.py);
// the real server needs model files this machine cannot fetch. Web-standard
// (Request → Response): a fetch function inside workerd, and a local HTTP server
// through test/support/kokoro-double.ts.
//   GET  /v1/audio/voices            → { voices: ["af_bella", ...] }   (`voicesShape: "objects"`: [{ id, name }])
//   POST /v1/audio/speech            { model, input, voice, response_format, speed, stream } → audio
//   POST /dev/captioned_speech       same + return_timestamps, stream: false
//                                    → { audio: base64, audio_format, timestamps: [{ word, start_time, end_time }] }
// Voices: names or blends `a+b`, weights `a(2)+b(1)`; an unknown voice → 400
// { detail: { error: "validation_error", message, type: "invalid_request_error" } }.
// speed outside 0.25–4.0 → 422 (pydantic). Audio: 24 kHz mono WAV, see neuralPcm.ts.
import { bytesToBase64 } from '../../../../core/base64.ts';
import { NEURAL_MS_PER_CHAR, neuralWav } from './neuralPcm.ts';

export const KOKORO_VOICES = ['af_bella', 'af_sky', 'af_heart', 'am_adam', 'bf_emma', 'bm_george'] as const;
export const KOKORO_SAMPLE_RATE = 24_000;

export interface KokoroDoubleRequest {
  path: string;
  body: Record<string, unknown> | null;
}

export interface KokoroDouble {
  fetch(request: Request): Promise<Response>;
  readonly requests: KokoroDoubleRequest[];
  /** Answer the next `times` synthesis calls with this status (503 is what an overloaded server gives). */
  failNext(status: number, times?: number): void;
}

function detail(status: number, error: string, message: string, type = 'invalid_request_error'): Response {
  return Response.json({ detail: { error, message, type } }, { status });
}

/** Kokoro's token timestamps: words and punctuation as separate tokens, spread over the audio. */
function timestamps(input: string, speed: number): Array<{ word: string; start_time: number; end_time: number }> {
  const tokens = input.match(/[\p{L}\p{N}'’]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const out: Array<{ word: string; start_time: number; end_time: number }> = [];
  let t = 0;
  for (const word of tokens) {
    const seconds = ((word.length + 1) * NEURAL_MS_PER_CHAR) / 1000 / speed;
    out.push({ word, start_time: Math.round(t * 1000) / 1000, end_time: Math.round((t + seconds) * 1000) / 1000 });
    t += seconds;
  }
  return out;
}

export function createKokoroDouble(opts: { voicesShape?: 'names' | 'objects' } = {}): KokoroDouble {
  const requests: KokoroDoubleRequest[] = [];
  const faults: number[] = [];

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/v1/audio/voices') {
      requests.push({ path: url.pathname, body: null });
      const legacy = url.searchParams.get('legacy') === 'true' || opts.voicesShape !== 'objects';
      return Response.json({ voices: legacy ? [...KOKORO_VOICES] : KOKORO_VOICES.map((v) => ({ id: v, name: v })) });
    }
    const captioned = url.pathname === '/dev/captioned_speech';
    if (request.method !== 'POST' || (url.pathname !== '/v1/audio/speech' && !captioned)) return Response.json({ detail: 'Not Found' }, { status: 404 });
    let body: Record<string, unknown>;
    try {
      body = (await request.json()) as Record<string, unknown>;
    } catch {
      requests.push({ path: url.pathname, body: null });
      return Response.json({ detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }] }, { status: 422 });
    }
    requests.push({ path: url.pathname, body });
    const fault = faults.shift();
    if (fault !== undefined) return detail(fault, 'server_error', 'double: injected failure', 'server_error');
    const speed = body.speed ?? 1;
    if (typeof speed !== 'number' || speed < 0.25 || speed > 4) {
      return Response.json({ detail: [{ type: 'less_than_equal', loc: ['body', 'speed'], msg: 'Input should be less than or equal to 4' }] }, { status: 422 });
    }
    const input = typeof body.input === 'string' ? body.input : '';
    if (input.trim() === '') return detail(400, 'validation_error', 'Input text cannot be empty');
    const voice = typeof body.voice === 'string' ? body.voice : 'af_heart';
    for (const part of voice.split('+')) {
      const name = part.replace(/\(\d+(?:\.\d+)?\)$/, '').trim();
      if (!(KOKORO_VOICES as readonly string[]).includes(name)) return detail(400, 'validation_error', `Voice '${name}' not found. Available voices: ${KOKORO_VOICES.join(', ')}`);
    }
    const format = body.response_format ?? 'mp3';
    if (format !== 'wav') return detail(400, 'validation_error', `double: only response_format "wav" is simulated, got ${String(format)}`);
    const wav = neuralWav(input, voice, KOKORO_SAMPLE_RATE, speed);
    if (!captioned) return new Response(wav, { headers: { 'content-type': 'audio/wav' } });
    if (body.stream !== false) return detail(400, 'validation_error', 'double: streamed captioned speech is not simulated (Lector sends stream: false)');
    return Response.json({ audio: bytesToBase64(wav), audio_format: 'audio/wav', timestamps: timestamps(input, speed) });
  }

  return {
    fetch: handle,
    requests,
    failNext(status: number, times = 1) {
      for (let i = 0; i < times; i++) faults.push(status);
    },
  };
}
