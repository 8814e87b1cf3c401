// Piper's HTTP server behind the `openai-compatible` provider (`server: "piper"`),
// from piper1-gpl's src/piper/http_server.py and docs/API_HTTP.md:
//   POST /synthesize (older servers: POST /) { text, voice?, speaker?, speaker_id?, length_scale?, ... } → audio/wav
//   GET  /voices → { "<voice name>": { audio: { sample_rate }, language: { code }, num_speakers, speaker_id_map }, ... }
// Speed maps to `length_scale` (phoneme length: 2 is half speed), so speed 2.0 sends 0.5.
// A Lector voice `en_US-libritts_r-medium@p123` asks for speaker "p123" of that model.
import type { VoiceInfo } from '../../../core/api/types.ts';

export function piperBody(text: string, voice: string, speed: number | undefined): Record<string, unknown> {
  const at = voice.lastIndexOf('@');
  const body: Record<string, unknown> = { text };
  if (at > 0) {
    body.voice = voice.slice(0, at);
    body.speaker = voice.slice(at + 1);
  } else if (voice !== '' && voice !== 'default') {
    body.voice = voice;
  }
  if (speed !== undefined && speed !== 1) body.length_scale = Math.round((1 / speed) * 10_000) / 10_000;
  return body;
}

interface PiperVoiceConfig {
  audio?: { sample_rate?: unknown };
  language?: { code?: unknown };
  num_speakers?: unknown;
  speaker_id_map?: unknown;
}

/** Piper's `/voices` object as Lector voices: one per model, and one per named speaker of multi-speaker models. */
export function parsePiperVoices(json: unknown, provider: string, prefix: string): VoiceInfo[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${provider}: Piper /voices is not an object`);
  const out: VoiceInfo[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, PiperVoiceConfig>)) {
    const rate = typeof raw?.audio?.sample_rate === 'number' ? raw.audio.sample_rate : undefined;
    const code = typeof raw?.language?.code === 'string' ? raw.language.code.replace('_', '-') : (name.split('-')[0] ?? '').replace('_', '-');
    const base: VoiceInfo = { id: `${prefix}${name}`, name, language: code, engine: 'piper', provider };
    if (rate !== undefined) base.sampleRate = rate;
    out.push(base);
    const speakers = raw?.speaker_id_map;
    if (typeof speakers === 'object' && speakers !== null && typeof raw.num_speakers === 'number' && raw.num_speakers > 1) {
      for (const speaker of Object.keys(speakers).slice(0, 1000)) out.push({ ...base, id: `${prefix}${name}@${speaker}`, name: `${name} (${speaker})` });
    }
  }
  return out;
}
