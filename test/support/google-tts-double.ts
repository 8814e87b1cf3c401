// The Google Cloud Text-to-Speech double (src/edge/backend/providers/testing/
// googleDouble.ts) as a local HTTP server on 127.0.0.1, so the backend Worker
// under `wrangler dev` can use it as its `google` provider's baseUrl. It follows
// Google's documented request and response shapes; it is not Google.
import { createGoogleTtsDouble, type GoogleTtsDouble } from '../../src/edge/backend/providers/testing/googleDouble.ts';
import { serveFetch } from './serve-fetch.ts';

export { DOUBLE_API_KEY, DOUBLE_VOICES, doublePcm, doubleWav, doubleMp3 } from '../../src/edge/backend/providers/testing/googleDouble.ts';

export interface GoogleTtsDoubleServer extends Omit<GoogleTtsDouble, 'fetch'> {
  /** Base URL to configure as the provider's `baseUrl`. */
  url: string;
  close(): Promise<void>;
}

export async function startGoogleTtsDouble(opts: { apiKey?: string } = {}): Promise<GoogleTtsDoubleServer> {
  const double = createGoogleTtsDouble(opts);
  const served = await serveFetch(double.fetch, (message) => ({ error: { code: 500, message, status: 'INTERNAL' } }));
  return { ...served, requests: double.requests, failNext: (fault, times) => double.failNext(fault, times) };
}

