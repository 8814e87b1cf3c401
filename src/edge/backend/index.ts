// The backend Worker (seed 001's `/api/rawtts`): synthesizes one chunk and
// writes its audio to R2. Reachable only through a service binding; its
// public fetch handler answers 404 to everything.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { RawTtsFailure, RawTtsRequest, RawTtsResponse, VoiceInfo } from '../../core/api/types.ts';
import { listVoices, synthBackends, synthesizeChunk, type BackendEnv } from './synthesizeChunk.ts';

export class BackendEntrypoint extends WorkerEntrypoint<BackendEnv> {
  /** RPC: synthesize `req.text` and store it at `tts_audio/{jobId}/{index}.{ext}`. */
  async synthesize(req: RawTtsRequest): Promise<RawTtsResponse | RawTtsFailure> {
    return synthesizeChunk(this.env, req);
  }

  /** RPC: the synthesis backends (URLs) chunks may be spread over, in a stable order. */
  async backends(): Promise<string[]> {
    return synthBackends(this.env);
  }

  /** RPC: the voices the provider offers. */
  async voices(): Promise<VoiceInfo[]> {
    return listVoices(this.env);
  }
}

export default {
  async fetch(): Promise<Response> {
    return Response.json({ error: { code: 'not_found', message: 'internal service' } }, { status: 404 });
  },
} satisfies ExportedHandler<BackendEnv>;
