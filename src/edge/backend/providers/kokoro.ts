// Kokoro-FastAPI behind the `openai-compatible` provider (`server: "kokoro"`):
// what it answers, from its source (remsky/Kokoro-FastAPI, api/src/routers).
//   GET  /v1/audio/voices → { voices: ["af_bella", ...] } (≤ 0.2.x and ?legacy=true)
//                           or { voices: [{ id, name }, ...] } (newer)
//   POST /v1/audio/speech { model, input, voice, response_format, speed, stream } → audio
//   POST /dev/captioned_speech { ...same, return_timestamps } with stream: false
//        → { audio: base64, audio_format, timestamps: [{ word, start_time, end_time }] } (seconds)
// Voices blend with `+` (`af_bella+af_sky`, weights as `af_bella(2)+af_sky(1)`): passed through as given.
// Speed: 0.25–4.0, like OpenAI's.
import type { VoiceInfo, WordTiming } from '../../../core/api/types.ts';
import { base64ToBytes } from '../../../core/base64.ts';

/** Kokoro voice prefixes: first letter language, second gender. */
const KOKORO_LANGUAGES: Readonly<Record<string, string>> = { a: 'en-US', b: 'en-GB', e: 'es', f: 'fr-FR', h: 'hi', i: 'it', j: 'ja', p: 'pt-BR', z: 'zh' };

export interface KokoroCaptioned {
  audio: Uint8Array;
  words: WordTiming[];
}

/** The JSON body of Kokoro's speech and captioned-speech endpoints. */
export function kokoroBody(input: string, voice: string, format: string, model: string, speed: number | undefined, captioned: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { model, input, voice, response_format: format, speed: speed ?? 1, stream: false };
  if (captioned) body.return_timestamps = true;
  return body;
}

/** Reads a /dev/captioned_speech answer; word offsets are found in `text` in order. */
export function parseCaptioned(json: unknown, text: string): KokoroCaptioned {
  const body = json as { audio?: unknown; timestamps?: unknown };
  if (typeof body?.audio !== 'string') throw new Error('captioned speech answer has no base64 "audio"');
  const audio = base64ToBytes(body.audio);
  const stamps = Array.isArray(body.timestamps) ? (body.timestamps as Array<{ word?: unknown; start_time?: unknown; end_time?: unknown }>) : [];
  const words: WordTiming[] = [];
  let cursor = 0;
  for (const s of stamps) {
    if (typeof s.word !== 'string' || typeof s.start_time !== 'number' || typeof s.end_time !== 'number') continue;
    const word = s.word.trim();
    // Kokoro also times punctuation tokens; captions want words.
    if (!/[\p{L}\p{N}]/u.test(word)) continue;
    const at = text.indexOf(word, cursor);
    if (at < 0) continue; // normalized by Kokoro ("10" → "ten"): no place in the text to point at
    words.push({ text: word, offset: at, startMs: Math.round(s.start_time * 1000), endMs: Math.round(s.end_time * 1000) });
    cursor = at + word.length;
  }
  return { audio, words };
}

/** Kokoro's voice list in either shape, as Lector voices. */
export function parseKokoroVoices(json: unknown, provider: string, prefix: string): VoiceInfo[] {
  const list = (json as { voices?: unknown })?.voices;
  if (!Array.isArray(list)) throw new Error(`${provider}: Kokoro voice list has no "voices" array`);
  const out: VoiceInfo[] = [];
  for (const v of list) {
    const name = typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;
    if (!name) continue;
    out.push({ id: `${prefix}${name}`, name, language: KOKORO_LANGUAGES[name[0] ?? ''] ?? '', engine: 'kokoro', provider, sampleRate: 24_000 });
  }
  return out;
}

/**
 * True when `voiceId` is a Kokoro blend (`af_bella+af_sky`, `kokoro:af_bella(2)+af_sky(1)`) of
 * voices the catalog lists as Kokoro voices: blends are not listed, yet they are valid voices.
 */
export function isKokoroBlend(voiceId: string, catalog: readonly VoiceInfo[]): boolean {
  const colon = voiceId.indexOf(':');
  const prefix = colon > 0 ? voiceId.slice(0, colon + 1) : '';
  const parts = voiceId.slice(prefix.length).split('+');
  if (parts.length < 2 || parts.length > 8) return false;
  return parts.every((part) => {
    const name = part.replace(/\(\d+(?:\.\d+)?\)$/, '');
    return catalog.some((v) => v.id === `${prefix}${name}` && v.engine === 'kokoro');
  });
}
