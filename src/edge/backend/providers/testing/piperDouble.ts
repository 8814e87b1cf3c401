// A test double of Piper's HTTP server (piper1-gpl src/piper/http_server.py and
// docs/API_HTTP.md); the real server needs voice model files this machine
// cannot fetch. Web-standard (Request → Response), wrapped as a local HTTP
// server by test/support/piper-double.ts.
//   POST /synthesize (`path: "/"` for older servers) { text, voice?, speaker?, speaker_id?, length_scale? } → audio/wav
//   GET  /voices → { "<name>": { audio: { sample_rate }, language: { code }, num_speakers, speaker_id_map } }
// Empty text makes Flask answer 500 (its ValueError); an unknown voice falls back to the default one,
// as the real server does. length_scale stretches the audio (2 = half speed).
import { neuralWav } from './neuralPcm.ts';

export const PIPER_VOICES: Readonly<Record<string, { sample_rate: number; code: string; speakers: string[] }>> = {
  'en_US-lessac-medium': { sample_rate: 22_050, code: 'en_US', speakers: [] },
  'en_GB-alba-low': { sample_rate: 16_000, code: 'en_GB', speakers: [] },
  'en_US-libritts_r-medium': { sample_rate: 22_050, code: 'en_US', speakers: ['p3922', 'p8699'] },
};
export const PIPER_DEFAULT_VOICE = 'en_US-lessac-medium';

export interface PiperDouble {
  fetch(request: Request): Promise<Response>;
  readonly requests: Array<{ path: string; body: Record<string, unknown> | null }>;
}

export function createPiperDouble(opts: { path?: string } = {}): PiperDouble {
  const synthPath = opts.path ?? '/synthesize';
  const requests: PiperDouble['requests'] = [];
  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/voices') {
      requests.push({ path: url.pathname, body: null });
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(PIPER_VOICES)) {
        out[name] = {
          audio: { sample_rate: v.sample_rate, quality: name.split('-').pop() },
          language: { code: v.code },
          num_speakers: Math.max(1, v.speakers.length),
          speaker_id_map: Object.fromEntries(v.speakers.map((s, i) => [s, i])),
        };
      }
      return Response.json(out);
    }
    if (request.method !== 'POST' || url.pathname !== synthPath) {
      return new Response('<!doctype html><title>404 Not Found</title>', { status: 404, headers: { 'content-type': 'text/html' } });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await request.text()) as Record<string, unknown>;
    } catch {
      requests.push({ path: url.pathname, body: null });
      return new Response('<title>500 Internal Server Error</title>', { status: 500, headers: { 'content-type': 'text/html' } });
    }
    requests.push({ path: url.pathname, body });
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (text === '') return new Response('<title>500 Internal Server Error</title>', { status: 500, headers: { 'content-type': 'text/html' } });
    const name = typeof body.voice === 'string' && PIPER_VOICES[body.voice] ? body.voice : PIPER_DEFAULT_VOICE;
    const voice = PIPER_VOICES[name]!;
    const speaker = typeof body.speaker === 'string' && voice.speakers.includes(body.speaker) ? body.speaker : (voice.speakers[0] ?? '');
    const lengthScale = typeof body.length_scale === 'number' && body.length_scale > 0 ? body.length_scale : 1;
    return new Response(neuralWav(text, `${name}@${speaker}`, voice.sample_rate, 1 / lengthScale), { headers: { 'content-type': 'audio/wav' } });
  }
  return { fetch: handle, requests };
}
