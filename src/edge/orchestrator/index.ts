// The orchestrator Worker: the public HTTP API and the page. Job state lives in
// TtsJobDurableObject; synthesis goes through the backend Worker.
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LectorError, isLectorError } from '../../core/errors.ts';
import { audioRoutes } from './api/audio.ts';
import { bookRoutes } from './api/book.ts';
import { MAX_DOCUMENT_BYTES, isDocumentUpload } from './api/documents.ts';
import { jobRoutes } from './api/jobs.ts';
import { libraryRoutes } from './api/library.ts';
import { feedAdminRoutes, publicFeedRoutes } from './api/feeds.ts';
import { webhookRoutes } from './api/webhooks.ts';
import { openAiRoutes } from './api/openai.ts';
import { voiceCatalog } from './api/voices.ts';
import type { AppEnv } from './api/app-env.ts';
import { MAX_BODY_BYTES, tooLarge } from './api/validate.ts';
import { authenticate } from './security/auth.ts';
import { corsPolicy } from './security/cors.ts';

export { TtsJobDurableObject } from './job/TtsJobDurableObject.ts';
export { RouterCounter } from './router/RouterCounter.ts';
import { routerStub } from './router/RouterCounter.ts';
export { UsageLimiter } from './security/UsageLimiter.ts';
export { JobLibrary } from './library/JobLibrary.ts';
export { WebhookDelivery } from './webhooks/WebhookDelivery.ts';
export { FeedToken } from './feeds/FeedToken.ts';
import { clientCookie } from './library/owner.ts';

const app = new Hono<AppEnv>();

/** Total request-header bytes accepted (Cloudflare's own limit is 128 KB; we need far less). */
const MAX_HEADER_BYTES = 32 * 1024;

app.use('*', async (c, next) => {
  let bytes = 0;
  c.req.raw.headers.forEach((v, k) => {
    bytes += k.length + v.length + 4;
  });
  if (bytes > MAX_HEADER_BYTES) throw new LectorError('headers_too_large', 431, `request headers over ${MAX_HEADER_BYTES} bytes`);
  await next();
});

app.get('/api/health', (c) => c.json({ ok: true }));

// Same-origin unless CORS_ORIGINS says otherwise; then the API key, if any is configured.
app.use('/api/*', corsPolicy());
app.use('/v1/*', corsPolicy());
const requireKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('caller', await authenticate(c.req.raw, c.env.LECTOR_API_KEYS));
  await next();
};
app.use('/api/*', requireKey);
app.use('/api/*', clientCookie());
app.use('/v1/*', requireKey);
// After the key check: a body without content-length is counted as it streams
// in and refused as soon as it passes the limit, never read whole first.
const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw tooLarge();
  },
});
// A book uploaded as the raw body (EPUB, Markdown, HTML, text) may be larger than any JSON request.
const limitDocument = bodyLimit({
  maxSize: MAX_DOCUMENT_BYTES,
  onError: () => {
    throw new LectorError('document_too_large', 413, `document over ${MAX_DOCUMENT_BYTES} bytes`);
  },
});
app.use('/api/*', (c, next) => (isDocumentUpload(c.req.header('content-type')) ? limitDocument(c, next) : limitBody(c, next)));
app.use('/v1/*', limitBody);

app.get('/api/voices', async (c) => c.json({ voices: await voiceCatalog(c.env) }));

// Circuit state of each synthesis backend (without its URL, which stays internal).
app.get('/api/backends', async (c) => {
  const list = await routerStub(c.env).status();
  return c.json({ backends: list.map(({ backend, state, dispatched }) => ({ backend, state, dispatched })) });
});

app.route('/api', libraryRoutes);
app.route('/api', webhookRoutes);
app.route('/api', feedAdminRoutes);
// Podcast feeds: outside /api, no API key (the token in the path is the credential).
app.route('/feeds', publicFeedRoutes);
app.route('/api', jobRoutes);
app.route('/api', bookRoutes);
app.route('/api', audioRoutes);
app.route('/v1', openAiRoutes);

app.notFound((c) => {
  if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/v1/') || c.req.path.startsWith('/feeds/')) {
    return new LectorError('not_found', 404, `no route ${c.req.method} ${c.req.path}`).toResponse();
  }
  return c.env.ASSETS.fetch(c.req.raw);
});

app.onError((e, c) => {
  if (isLectorError(e)) return (e as LectorError).toResponse();
  console.error('orchestrator: unhandled error', c.req.method, c.req.path, e);
  return new LectorError('internal', 500, 'internal error').toResponse();
});

export default app satisfies ExportedHandler<Env>;
