// Podcast feeds on the real stack: POST /api/feeds gives Alice a token; the
// public /feeds/{token}.xml is parsed by saxes (a strict, namespace-aware XML
// parser, not the library that wrote it) and checked for RSS 2.0's required
// elements and iTunes tags; each enclosure is fetched with the token alone and
// its length, type and bytes compared with the served file; another key's jobs
// stay out of the feed and out of reach of its token; a revoked token gets 404.
import { parseBuffer } from 'music-metadata';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobResponse, JobState } from '../../src/core/api/types.ts';
import { SHARED_KEYS, sharedStack, type SharedStack } from '../support/shared-stack.ts';

// This file's own keys on the shared keyed stack.
const { alice: ALICE, bob: BOB } = SHARED_KEYS.feeds;
const ITUNES = 'http://www.itunes.com/dtds/podcast-1.0.dtd';

interface El {
  name: string;
  uri: string;
  attrs: Record<string, string>;
  text: string;
  children: El[];
}

/** The document as a tree of namespace-resolved elements. */
function parseXml(xml: string): El {
  const parser = new SaxesParser({ xmlns: true });
  const root: El = { name: '#doc', uri: '', attrs: {}, text: '', children: [] };
  const stack: El[] = [root];
  parser.on('opentag', (t) => {
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(t.attributes)) attrs[k] = typeof a === 'string' ? a : a.value;
    const el: El = { name: t.local ?? t.name, uri: t.uri ?? '', attrs, text: '', children: [] };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on('text', (s) => (stack.at(-1)!.text += s));
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return root.children[0]!;
}

const child = (el: El, name: string, uri = '') => el.children.find((c) => c.name === name && c.uri === uri);
const text = (el: El, name: string, uri = '') => child(el, name, uri)?.text.trim();

describe('podcast feeds', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack('keyed');
  });

  const api = (path: string, key: string | null, init: RequestInit = {}) =>
    fetch(`${stack.edgeUrl}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string>) } });
  async function create(key: string, body: Record<string, unknown>): Promise<string> {
    const res = await api('/api/tts', key, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    return ((await res.json()) as CreateJobResponse).jobId;
  }
  async function settled(key: string, jobId: string, book: boolean): Promise<JobState> {
    for (const end = Date.now() + 120_000; Date.now() < end; ) {
      const s = (await (await api(`/api/tts/${jobId}`, key)).json()) as JobState;
      if (s.status === 'completed' && (!book || s.book?.status === 'done')) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  it('lists the key\'s finished audiobooks with fetchable enclosures, scoped to the token, and 404 once revoked', async () => {
    const mp3 = await create(ALICE, { text: 'Chapter one. It was a dark and stormy night. The end.', audioFormat: 'mp3', title: 'Storms & <Nights>', author: 'A. Writer' });
    const opus = await create(ALICE, { text: 'A short story. Told quickly. Done.', audioFormat: 'opus', title: 'Short Story' });
    const plain = await create(ALICE, { text: 'No book here, just chunks.' });
    const bobs = await create(BOB, { text: 'Bob has a book too. It is private.', audioFormat: 'mp3', title: 'Bob Only' });
    await Promise.all([settled(ALICE, mp3, true), settled(ALICE, opus, true), settled(ALICE, plain, false), settled(BOB, bobs, true)]);

    expect((await api('/api/feeds', null, { method: 'POST' })).status).toBe(401);
    const made = await api('/api/feeds', ALICE, { method: 'POST' });
    expect(made.status).toBe(201);
    const { token, url } = (await made.json()) as { token: string; url: string };
    expect(url).toBe(`${stack.edgeUrl}/feeds/${token}.xml`);

    // The feed needs no API key: the token is the credential.
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
    const rss = parseXml(await res.text());
    expect(rss.name).toBe('rss');
    expect(rss.attrs.version).toBe('2.0');
    const channel = child(rss, 'channel')!;
    for (const required of ['title', 'link', 'description']) expect(text(channel, required), required).toBeTruthy();
    expect(child(channel, 'explicit', ITUNES)).toBeDefined();
    expect(child(channel, 'category', ITUNES)?.attrs.text).toBeTruthy();
    const items = channel.children.filter((c) => c.name === 'item' && c.uri === '');
    // One episode per finished job with an assembled book, newest first: not the plain job, not Bob's.
    expect(items.map((i) => text(i, 'guid'))).toEqual([`lector:${opus}`, `lector:${mp3}`]);

    const expected: Record<string, { title: string; type: string; author?: string; parseAs: string }> = {
      [mp3]: { title: 'Storms & <Nights>', type: 'audio/mpeg', author: 'A. Writer', parseAs: 'audio/mpeg' },
      [opus]: { title: 'Short Story', type: 'audio/ogg; codecs=opus', parseAs: 'audio/ogg' },
    };
    for (const item of items) {
      const jobId = text(item, 'guid')!.slice('lector:'.length);
      const want = expected[jobId]!;
      expect(child(item, 'guid')!.attrs.isPermaLink).toBe('false');
      expect(text(item, 'title')).toBe(want.title);
      expect(text(item, 'title', ITUNES)).toBe(want.title);
      if (want.author) expect(text(item, 'author', ITUNES)).toBe(want.author);
      expect(Number.isNaN(Date.parse(text(item, 'pubDate')!))).toBe(false);
      expect(text(item, 'duration', ITUNES)).toMatch(/^\d\d:\d\d:\d\d$/);
      const enc = child(item, 'enclosure')!;
      expect(enc.attrs.type).toBe(want.type);
      expect(enc.attrs.url).toBe(`${stack.edgeUrl}/feeds/${token}/${jobId}.${jobId === mp3 ? 'mp3' : 'opus'}`);
      // The enclosure, fetched with no key, is the job's assembled book: length and bytes as served.
      const audio = await fetch(enc.attrs.url!);
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe(want.type);
      const bytes = new Uint8Array(await audio.arrayBuffer());
      expect(Number(audio.headers.get('content-length'))).toBe(bytes.length);
      expect(Number(enc.attrs.length)).toBe(bytes.length);
      const direct = new Uint8Array(await (await api(`/api/tts/${jobId}/audio`, ALICE)).arrayBuffer());
      expect(Buffer.from(bytes).equals(Buffer.from(direct))).toBe(true);
      const meta = await parseBuffer(bytes, { mimeType: want.parseAs }, { duration: true });
      const [h, m, s] = text(item, 'duration', ITUNES)!.split(':').map(Number);
      expect(Math.abs(h! * 3600 + m! * 60 + s! - meta.format.duration!)).toBeLessThanOrEqual(1);
      // Ranges work for players that seek.
      const part = await fetch(enc.attrs.url!, { headers: { range: 'bytes=0-99' } });
      expect(part.status).toBe(206);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(0, 100));
    }

    // The token reads this feed's audio only: Bob's book, even by its right name, is 404; so are made-up paths.
    expect((await fetch(`${stack.edgeUrl}/feeds/${token}/${bobs}.mp3`)).status).toBe(404);
    expect((await fetch(`${stack.edgeUrl}/feeds/${token}/${plain}.wav`)).status).toBe(404);
    expect((await fetch(`${stack.edgeUrl}/feeds/${token}/${mp3}.opus`)).status).toBe(404);
    expect((await fetch(`${stack.edgeUrl}/feeds/${'A'.repeat(43)}.xml`)).status).toBe(404);
    const bad = await fetch(`${stack.edgeUrl}/feeds/nope.xml`);
    expect(bad.status).toBe(404);
    expect(await bad.json()).toMatchObject({ error: { code: expect.any(String) } });
    // Bob's own feed lists only Bob's book; Bob cannot revoke Alice's token.
    const bobFeed = (await (await api('/api/feeds', BOB, { method: 'POST' })).json()) as { url: string };
    const bobItems = child(parseXml(await (await fetch(bobFeed.url)).text()), 'channel')!.children.filter((c) => c.name === 'item');
    expect(bobItems.map((i) => text(i, 'guid'))).toEqual([`lector:${bobs}`]);
    expect((await api(`/api/feeds/${token}`, BOB, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(url)).status).toBe(200);

    // Revoked: the feed and its audio are gone.
    const revoke = await api(`/api/feeds/${token}`, ALICE, { method: 'DELETE' });
    expect(revoke.status).toBe(200);
    const gone = await fetch(url);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 'feed_not_found' } });
    expect((await fetch(`${stack.edgeUrl}/feeds/${token}/${mp3}.mp3`)).status).toBe(404);
    expect((await api(`/api/feeds/${token}`, ALICE, { method: 'DELETE' })).status).toBe(404);
  });
});
