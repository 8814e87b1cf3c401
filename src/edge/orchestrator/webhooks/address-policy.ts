// Which webhook URLs Lector will POST to. A Worker must not be turned into a
// probe of private networks or cloud metadata endpoints, so only public
// unicast addresses and public-looking host names pass, over http(s), unless
// local development allows private targets (WEBHOOK_ALLOW_PRIVATE=1).
// Address ranges come from ipaddr.js (a kept library), not hand-written masks.
import ipaddr from 'ipaddr.js';
import { LectorError } from '../../../core/errors.ts';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Host names that name this machine or a private network, whatever they resolve to. */
const PRIVATE_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa|intranet|lan)$/i;

function refuse(message: string): LectorError {
  return new LectorError('invalid_webhook', 400, message, { details: { field: 'webhook.url' } });
}

/** The ipaddr.js range of a literal address (IPv4-mapped IPv6 judged as its IPv4), or null for a host name. */
export function addressRange(hostname: string): string | null {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (!ipaddr.isValid(host)) return null;
  let addr = ipaddr.parse(host);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range();
}

/**
 * Parses and checks a webhook URL; throws 400 `invalid_webhook` with the reason.
 * WHATWG URL parsing first turns `2130706433`, `0x7f.1` and the like into dotted
 * IPv4, so such spellings of a private address are caught too.
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw refuse(`webhook.url is over ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('webhook.url is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('webhook.url must be http or https');
  if (url.username || url.password) throw refuse('webhook.url must not carry credentials (the signature authenticates Lector)');
  if (allowPrivate) return url;
  const range = addressRange(url.hostname);
  if (range !== null) {
    if (range !== 'unicast') throw refuse(`webhook.url is a ${range} address; only public addresses are allowed`);
    return url;
  }
  const host = url.hostname.replace(/\.$/, '');
  if (!host.includes('.') || PRIVATE_NAME.test(host)) throw refuse('webhook.url names a local or private host; only public hosts are allowed');
  return url;
}
