// The Kokoro-FastAPI double (src/edge/backend/providers/testing/kokoroDouble.ts)
// as a local HTTP server on 127.0.0.1, for the backend Worker under `wrangler
// dev`. It follows Kokoro-FastAPI's request and response shapes as its source
// defines them; it is not Kokoro (the real server needs model files).
import { createKokoroDouble, type KokoroDouble } from '../../src/edge/backend/providers/testing/kokoroDouble.ts';
import { serveFetch } from './serve-fetch.ts';

export { KOKORO_SAMPLE_RATE, KOKORO_VOICES } from '../../src/edge/backend/providers/testing/kokoroDouble.ts';

export interface KokoroDoubleServer extends Omit<KokoroDouble, 'fetch'> {
  url: string;
  close(): Promise<void>;
}

export async function startKokoroDouble(opts: Parameters<typeof createKokoroDouble>[0] = {}): Promise<KokoroDoubleServer> {
  const double = createKokoroDouble(opts);
  const served = await serveFetch(double.fetch);
  return { ...served, requests: double.requests, failNext: (status, times) => double.failNext(status, times) };
}
