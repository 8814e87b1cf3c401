// The backend Worker (seed 001's `/api/rawtts`): synthesizes one chunk through
// the provider its voice routes to and writes the audio to R2. Reachable only
// through a service binding; its public fetch handler answers 404 to everything.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse, VoiceInfo } from '../../core/api/types.ts';
import type { VoiceLimits } from './providers/registry.ts';
import { listVoices, synthBackends, synthesizeChunk, voiceLimits, type BackendEnv } from './synthesizeChunk.ts';

export type { VoiceLimits } from './providers/registry.ts';

export class BackendEntrypoint extends WorkerEntrypoint<BackendEnv> {
  /** RPC: synthesize `req.text` and store it at `tts_audio/{jobId}/{index}.{wav|mp3}`. */
  async synthesize(req: RawTtsRequest): Promise<RawTtsResponse | RawTtsFailure> {
    return synthesizeChunk(this.env, req);
  }

  /** RPC: the backends (server URLs, or `name:type` ids) chunks may be spread over, in a stable order. */
  async backends(): Promise<string[]> {
    return synthBackends(this.env);
  }

  /** RPC: every provider's voices, each with its provider. */
  async voices(): Promise<VoiceInfo[]> {
    return listVoices(this.env);
  }

  /**
   * RPC: the limits of the provider `voiceId` routes to: most characters per
   * chunk, most chunks in flight per job, formats, and the backends to pick
   * from. Null for a voice no provider takes; throws on an invalid configuration.
   */
  async voiceLimits(voiceId: string): Promise<VoiceLimits | null> {
    return voiceLimits(this.env, voiceId);
  }
}

export default {
  async fetch(): Promise<Response> {
    return Response.json({ error: { code: 'not_found', message: 'internal service' } }, { status: 404 });
  },
} satisfies ExportedHandler<BackendEnv>;
