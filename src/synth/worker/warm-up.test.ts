// IdleWarmUp runs passages only while the worker is idle, one per step, stops
// at its budget (real requests count toward it), and stops on an engine error.

import { describe, expect, it } from 'vitest';
import { IdleWarmUp, WARM_UP_PASSAGES } from './warm-up.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await tick();
}

describe('IdleWarmUp', () => {
  it('synthesizes passages while idle until the budget is spent', async () => {
    const done: string[] = [];
    const w = new IdleWarmUp({ synthesize: async (t) => void done.push(t), busy: () => false }, 300);
    w.kick();
    await until(() => w.finished);
    expect(w.finished).toBe(true);
    expect(done).toEqual(WARM_UP_PASSAGES.slice(0, done.length));
    const chars = done.reduce((n, t) => n + t.length, 0);
    expect(chars).toBeGreaterThanOrEqual(300);
    expect(chars - done.at(-1)!.length).toBeLessThan(300);
  });

  it('waits while busy, resumes on kick, and counts served characters', async () => {
    let busy = true;
    const done: string[] = [];
    const w = new IdleWarmUp({ synthesize: async (t) => void done.push(t), busy: () => busy }, 1000);
    w.kick();
    await tick();
    await tick();
    expect(done).toEqual([]);
    w.served(900);
    busy = false;
    w.kick();
    await until(() => w.finished);
    expect(done).toHaveLength(1);
  });

  it('stops for good after an engine error', async () => {
    const lines: string[] = [];
    let calls = 0;
    const synthesize = async (): Promise<void> => {
      calls++;
      throw new Error('boom');
    };
    const w = new IdleWarmUp({ synthesize, busy: () => false, log: (l) => lines.push(l) }, 10_000);
    w.kick();
    await until(() => w.finished);
    w.kick();
    await tick();
    expect(calls).toBe(1);
    expect(lines[0]).toMatch(/warm-up stopped: Error: boom/);
  });
});
