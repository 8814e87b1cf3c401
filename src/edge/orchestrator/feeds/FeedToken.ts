// One podcast feed's token: whose jobs it shows. One object per token, named
// by the token's SHA-256 (the token itself is stored nowhere), so a lookup on
// the public feed route is one call and revoking it is deleting the object's
// storage. The token is the credential of the feed and its audio only.
import { DurableObject } from 'cloudflare:workers';

export interface FeedGrant {
  /** The `JobLibrary` owner whose jobs the feed lists (`key:<id>` or `client:<id>`). */
  owner: string;
  /** The API key id that addresses those jobs' Durable Objects (null in open mode). */
  keyId: string | null;
  createdAt: number;
}

export class FeedToken extends DurableObject<Env> {
  async create(grant: FeedGrant): Promise<void> {
    await this.ctx.storage.put('grant', grant);
  }

  async grant(): Promise<FeedGrant | null> {
    return (await this.ctx.storage.get<FeedGrant>('grant')) ?? null;
  }

  /** Revokes the token if `owner` made it; false when there is no such feed for this owner. */
  async revoke(owner: string): Promise<boolean> {
    const g = await this.grant();
    if (!g || g.owner !== owner) return false;
    await this.ctx.storage.deleteAll();
    return true;
  }
}

/** A new feed token: 32 random bytes, base64url (43 characters). */
export function newFeedToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export async function feedTokenStub(env: Env, token: string) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  const name = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  return env.FEED_TOKEN.get(env.FEED_TOKEN.idFromName(`feed:${name}`));
}
