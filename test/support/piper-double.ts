// The Piper HTTP server double (src/edge/backend/providers/testing/piperDouble.ts)
// as a local HTTP server on 127.0.0.1. It follows Piper's documented HTTP API;
// it is not Piper (the real server needs voice model files).
import { createPiperDouble, type PiperDouble } from '../../src/edge/backend/providers/testing/piperDouble.ts';
import { serveFetch } from './serve-fetch.ts';

export { PIPER_DEFAULT_VOICE, PIPER_VOICES } from '../../src/edge/backend/providers/testing/piperDouble.ts';

export interface PiperDoubleServer extends Omit<PiperDouble, 'fetch'> {
  url: string;
  close(): Promise<void>;
}

export async function startPiperDouble(opts: Parameters<typeof createPiperDouble>[0] = {}): Promise<PiperDoubleServer> {
  const double = createPiperDouble(opts);
  const served = await serveFetch(double.fetch);
  return { ...served, requests: double.requests };
}
