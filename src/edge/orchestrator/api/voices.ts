// The voice catalog as the orchestrator sees it: fetched from the backend
// Worker, cached per isolate for a minute, used to refuse unknown voices
// before a job is created.
import type { VoiceInfo } from '../../../core/api/types.ts';
import type { VoiceLimits } from '../../backend/index.ts';
import { LectorError } from '../../../core/errors.ts';
import { isKokoroBlend } from '../../backend/providers/kokoro.ts';

const TTL_MS = 60_000;
let cached: { at: number; voices: VoiceInfo[] } | undefined;

export async function voiceCatalog(env: Env): Promise<VoiceInfo[]> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.voices;
  try {
    const voices = await env.BACKEND.voices();
    cached = { at: Date.now(), voices };
    return voices;
  } catch (e) {
    throw new LectorError('backend_unavailable', 503, `voice catalog unavailable: ${String(e)}`, { retryAfterSeconds: 5 });
  }
}

/** Throws 400 `unknown_voice` listing valid ids when `voiceId` is not offered. */
export async function assertKnownVoice(env: Env, voiceId: string): Promise<void> {
  const voices = await voiceCatalog(env);
  if (voices.some((v) => v.id === voiceId) || isKokoroBlend(voiceId, voices)) return;
  const ids = voices.map((v) => v.id);
  throw new LectorError('unknown_voice', 400, `unknown voice "${voiceId.slice(0, 100)}"; valid voices: ${ids.join(', ')}`, {
    details: { validVoices: ids },
  });
}

const limitsCache = new Map<string, { at: number; limits: VoiceLimits | null }>();

/** The limits of the provider a voice routes to (backend RPC `voiceLimits`), cached per isolate for a minute. */
export async function voiceLimits(env: Env, voiceId: string): Promise<VoiceLimits | null> {
  const hit = limitsCache.get(voiceId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.limits;
  try {
    const limits = (await env.BACKEND.voiceLimits(voiceId)) as VoiceLimits | null;
    limitsCache.set(voiceId, { at: Date.now(), limits });
    return limits;
  } catch (e) {
    throw new LectorError('backend_unavailable', 503, `voice limits unavailable: ${String(e)}`, { retryAfterSeconds: 5 });
  }
}
