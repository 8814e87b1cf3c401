// Spreads chunks over synthesis backends (seed 001's RouterCounter).
// Walking skeleton: a round-robin counter only; breakers come with issue 3.
import { DurableObject } from 'cloudflare:workers';

export class RouterCounter extends DurableObject<Env> {
  async next(backends: number): Promise<number> {
    const current = (await this.ctx.storage.get<number>('counter')) ?? 0;
    await this.ctx.storage.put('counter', current + 1);
    return backends > 0 ? current % backends : 0;
  }
}
