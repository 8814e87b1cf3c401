// Podcast feeds of a caller's finished audiobooks. `POST /api/feeds` makes a
// token, `DELETE /api/feeds/{token}` revokes it; `GET /feeds/{token}.xml` (no
// API key: the token is the credential) is RSS 2.0 with iTunes tags, one episode
// per finished job with an assembled book, and `GET /feeds/{token}/{jobId}.{ext}`
// serves that book's file — only for jobs on the token owner's shelf.
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import type { JobState } from '../../../core/api/types.ts';
import { BOOK_EXTENSIONS, BOOK_MIME_TYPES } from '../../../core/audio/book/metadata.ts';
import { LectorError } from '../../../core/errors.ts';
import { isJobId } from '../../../core/ids.ts';
import { FEED_TOKEN, feedTokenStub, newFeedToken, type FeedGrant } from '../feeds/FeedToken.ts';
import { buildFeedXml, type FeedEpisode } from '../feeds/rss.ts';
import type { LibraryCursor, LibraryEntry } from '../library/JobLibrary.ts';
import { libraryOwner } from '../library/owner.ts';
import { serveBookFile } from './book.ts';
import { jobStub } from './job-address.ts';

/** Newest episodes in one feed. */
export const FEED_MAX_EPISODES = 50;
/** Shelf entries looked at per feed request (each costs one call to the job's object). */
const FEED_SCAN_ENTRIES = 100;
const PAGE = 50;

function notFound(): LectorError {
  return new LectorError('feed_not_found', 404, 'no such feed');
}

/** The grant of a live token, or 404 for a malformed, unknown or revoked one. */
async function liveGrant(env: Env, token: string): Promise<FeedGrant> {
  if (!FEED_TOKEN.test(token)) throw notFound();
  const grant = await (await feedTokenStub(env, token)).grant();
  if (!grant) throw notFound();
  return grant;
}

const shelf = (env: Env, owner: string) => env.JOB_LIBRARY.get(env.JOB_LIBRARY.idFromName(owner));

/** The owner's newest jobs whose assembled book is done, with their state and the book's R2 size. */
async function episodesOf(env: Env, grant: FeedGrant, audioUrl: (jobId: string, ext: string) => string): Promise<FeedEpisode[]> {
  const episodes: FeedEpisode[] = [];
  let after: LibraryCursor | null = null;
  for (let seen = 0; seen < FEED_SCAN_ENTRIES && episodes.length < FEED_MAX_EPISODES; ) {
    const page = await shelf(env, grant.owner).list(after, PAGE);
    const found = await Promise.all(page.entries.map((e) => episode(env, grant, e, audioUrl)));
    for (const ep of found) if (ep && episodes.length < FEED_MAX_EPISODES) episodes.push(ep);
    seen += page.entries.length;
    const last = page.entries.at(-1);
    if (!page.more || !last) break;
    after = { createdAt: last.createdAt, jobId: last.jobId };
  }
  return episodes;
}

/** One job as an episode (a job's state, its book file, that file's R2 head), or null when it has no finished book. */
async function episode(env: Env, grant: FeedGrant, e: LibraryEntry, audioUrl: (jobId: string, ext: string) => string): Promise<FeedEpisode | null> {
  const stub = jobStub(env, e.jobId, { keyId: grant.keyId });
  const state: JobState | null = await stub.getJobState(false);
  const book = state?.book;
  if (!state || state.status !== 'completed' || !book || book.status !== 'done') return null;
  const file = await stub.getBookFile(null);
  const head = file?.complete ? await env.TTS_AUDIO_BUCKET.head(file.key) : null;
  if (!head) return null;
  const title = state.metadata?.title || e.title;
  const author = state.metadata?.author || null;
  return {
    guid: `lector:${e.jobId}`,
    title,
    author,
    description: author ? `${title}, by ${author}. Read by Lector (${e.voiceId}).` : `${title}. Read by Lector (${e.voiceId}).`,
    published: new Date(e.createdAt),
    url: audioUrl(e.jobId, BOOK_EXTENSIONS[book.format]),
    bytes: head.size,
    mimeType: BOOK_MIME_TYPES[book.format],
    durationMs: book.durationMs,
  };
}

/** `/api/feeds`: behind the API key like every `/api` route. */
export const feedAdminRoutes = new Hono<AppEnv>()
  .post('/feeds', async (c) => {
    const caller = c.get('caller');
    const token = newFeedToken();
    await (await feedTokenStub(c.env, token)).create({ owner: libraryOwner(c.req.raw, caller), keyId: caller.keyId, createdAt: Date.now() });
    const url = `${new URL(c.req.url).origin}/feeds/${token}.xml`;
    return c.json({ token, url }, 201, { location: url });
  })
  .delete('/feeds/:token', async (c) => {
    const token = c.req.param('token');
    if (!FEED_TOKEN.test(token)) throw notFound();
    const revoked = await (await feedTokenStub(c.env, token)).revoke(libraryOwner(c.req.raw, c.get('caller')));
    if (!revoked) throw notFound();
    return c.json({ token, revoked: true });
  });

/** `/feeds/*`: public, the token in the path is the only credential. */
export const publicFeedRoutes = new Hono<AppEnv>()
  .get('/:file{[A-Za-z0-9_-]{43}\\.xml}', async (c) => {
    const token = c.req.param('file').slice(0, -4);
    const grant = await liveGrant(c.env, token);
    const origin = new URL(c.req.url).origin;
    const episodes = await episodesOf(c.env, grant, (jobId, ext) => `${origin}/feeds/${token}/${jobId}.${ext}`);
    const xml = buildFeedXml({ title: 'Lector audiobooks', link: `${origin}/`, description: 'Audiobooks made with Lector.', episodes }, new Date());
    return new Response(xml, { headers: { 'content-type': 'application/rss+xml; charset=utf-8', 'cache-control': 'private, no-cache' } });
  })
  .get('/:token/:file', async (c) => {
    const grant = await liveGrant(c.env, c.req.param('token'));
    const m = /^([0-9a-f-]{36})\.([a-z0-9]{1,5})$/.exec(c.req.param('file'));
    if (!m || !isJobId(m[1]!)) throw notFound();
    const jobId = m[1]!;
    // Only the feed's own jobs: those on the token owner's shelf.
    if (!(await shelf(c.env, grant.owner).has(jobId))) throw notFound();
    const file = await jobStub(c.env, jobId, { keyId: grant.keyId }).getBookFile(null);
    if (!file || !file.complete || !file.key.endsWith(`.${m[2]}`)) throw notFound();
    return serveBookFile(c.env.TTS_AUDIO_BUCKET, file, c.req.header('range'), `${jobId}.${m[2]}`);
  });
