// A podcast feed as RSS 2.0 with Apple's iTunes tags: one channel for the
// owner's shelf, one item per finished job with an assembled book. The XML is
// written by fast-xml-parser's XMLBuilder (escaping and structure are the
// library's), never by string concatenation.
import { XMLBuilder } from 'fast-xml-parser';

export const ITUNES_NS = 'http://www.itunes.com/dtds/podcast-1.0.dtd';

export interface FeedEpisode {
  guid: string;
  title: string;
  author: string | null;
  description: string;
  published: Date;
  url: string;
  bytes: number;
  mimeType: string;
  durationMs: number | null;
}

export interface FeedChannel {
  title: string;
  link: string;
  description: string;
  episodes: FeedEpisode[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

/** Characters XML 1.0 cannot carry at all (escaping does not help). */
function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/** `HH:MM:SS`, the form every podcast app reads. */
export function itunesDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function item(e: FeedEpisode): Record<string, unknown> {
  return {
    title: xmlText(e.title),
    description: xmlText(e.description),
    guid: { '@_isPermaLink': 'false', '#text': e.guid },
    pubDate: e.published.toUTCString(),
    enclosure: { '@_url': e.url, '@_length': String(e.bytes), '@_type': e.mimeType },
    'itunes:title': xmlText(e.title),
    ...(e.author ? { 'itunes:author': xmlText(e.author) } : {}),
    ...(e.durationMs !== null ? { 'itunes:duration': itunesDuration(e.durationMs) } : {}),
    'itunes:episodeType': 'full',
    'itunes:explicit': 'false',
  };
}

export function buildFeedXml(ch: FeedChannel, now: Date): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    rss: {
      '@_version': '2.0',
      '@_xmlns:itunes': ITUNES_NS,
      channel: {
        title: xmlText(ch.title),
        link: ch.link,
        description: xmlText(ch.description),
        language: 'en',
        generator: 'Lector',
        lastBuildDate: now.toUTCString(),
        'itunes:author': 'Lector',
        'itunes:summary': xmlText(ch.description),
        'itunes:explicit': 'false',
        'itunes:type': 'episodic',
        'itunes:category': { '@_text': 'Arts' },
        item: ch.episodes.map(item),
      },
    },
  }) as string;
}
