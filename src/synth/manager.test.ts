// Pool logic against fake child processes on a fake clock: negotiation,
// retries after crashes, breakers, scaling, health checks, recycling,
// priorities, limits and graceful shutdown.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TTSManagerOptions } from './config.ts';
import { TTSManager } from './manager.ts';
import { PoolError } from './pool/errors.ts';
import { fakeSpawner, type FakeBehavior } from './testing/fake-child.ts';
import { WorkerState } from './types.ts';

const FAST: TTSManagerOptions = {
  workerPool: { minWorkers: 1, maxWorkers: 4, handshakeTimeoutMs: 1000, drainTimeoutMs: 100, killTimeoutMs: 100, scaleCheckIntervalMs: 1000, templates: [{ name: 'fake', command: 'fake', args: [], protocol: 'auto' }] },
};

function setup(options: TTSManagerOptions, ...behaviors: FakeBehavior[]) {
  const spawn = fakeSpawner(...(behaviors.length > 0 ? behaviors : [{}]));
  const logs: string[] = [];
  const merged: TTSManagerOptions = {
    ...FAST,
    ...options,
    workerPool: { ...FAST.workerPool, ...options.workerPool },
  };
  const manager = new TTSManager(merged, { spawn, log: (l) => logs.push(l) });
  return { manager, spawn, logs };
}

async function init(manager: TTSManager): Promise<void> {
  const p = manager.initialize();
  await vi.advanceTimersByTimeAsync(0);
  await p;
}

/** Runs `promise` to completion while advancing the fake clock in steps. */
async function settle<T>(promise: Promise<T>, maxMs = 120_000, stepMs = 5): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  for (let t = 0; t < maxMs && !done; t += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
  if (!done) throw new Error(`promise not settled after ${maxMs} ms of fake time`);
  if (error !== undefined) throw error;
  return value as T;
}

let cleanup: (() => Promise<void>) | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(async () => {
  if (cleanup) await settle(cleanup());
  cleanup = undefined;
  vi.useRealTimers();
});

describe('TTSManager with fake workers', () => {
  it('starts, negotiates v2.1, catalogs voices and synthesizes', async () => {
    const { manager, spawn } = setup({});
    cleanup = () => manager.shutdown();
    await init(manager);
    const status = manager.getStatus();
    expect(status.state).toBe('ready');
    expect(status.workers).toHaveLength(1);
    expect(status.workers[0]).toMatchObject({ state: WorkerState.READY, protocol: '2.1', breaker: 'closed', healthScore: 100 });
    expect(manager.resolveVoice('alloy')?.id).toBe('espeak:en-us');
    const result = await settle(manager.synthesize({ text: 'hello', voice: 'en-us' }));
    expect(result).toMatchObject({ sampleRate: 22050, engine: 'espeak', voice: 'espeak:en-us', attempts: 1, workerId: 'worker-1' });
    expect(result.pcm.byteLength).toBe(4410);
    const req = spawn.children[0]!.received.find((m) => m.type === 'request')!;
    expect(req).toMatchObject({ version: '2.1', type: 'request', payload: { type: 'synthesize', text: 'hello', voice: 'espeak:en-us', priority: 'normal' } });
    expect(req.metadata).toMatchObject({ workerId: 'worker-1', retryCount: 0 });
  });

  it('carries PCM as base64 when the worker picks v2.0', async () => {
    const { manager } = setup({}, { protocol: '2.0' });
    cleanup = () => manager.shutdown();
    await init(manager);
    expect(manager.getStatus().workers[0]!.protocol).toBe('2.0');
    const r = await settle(manager.synthesize({ text: 'x', voice: 'slt' }));
    expect(r.pcm.byteLength).toBe(4410);
  });

  it('marks a worker BUSY only when it has no spare capacity', async () => {
    const { manager } = setup({ workerPool: { workerConcurrency: 2 } }, { onSynthesize: () => ({ kind: 'audio', delayMs: 50 }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const state = () => manager.getStatus().workers[0]!.state;
    const first = manager.synthesize({ text: 'one', voice: 'en-us' });
    await vi.advanceTimersByTimeAsync(1);
    expect([manager.getStatus().workers[0]!.inFlight, state()]).toEqual([1, WorkerState.READY]);
    const second = manager.synthesize({ text: 'two', voice: 'en-us' });
    await vi.advanceTimersByTimeAsync(1);
    expect([manager.getStatus().workers[0]!.inFlight, state()]).toEqual([2, WorkerState.BUSY]);
    await settle(Promise.all([first, second]));
    expect(state()).toBe(WorkerState.READY);
  });

  it('passes speed to the worker only when the caller gave one', async () => {
    const { manager, spawn } = setup({});
    cleanup = () => manager.shutdown();
    await init(manager);
    await settle(manager.synthesize({ text: 'fast', voice: 'en-us', speed: 2.5 }));
    await settle(manager.synthesize({ text: 'plain', voice: 'en-us' }));
    const payloads = spawn.children[0]!.received.filter((m) => m.type === 'request').map((m) => m.payload as Record<string, unknown>);
    expect(payloads.filter((p) => p.type === 'synthesize').map((p) => [p.text, p.speed])).toEqual([
      ['fast', 2.5],
      ['plain', undefined],
    ]);
  });

  it('drives a worker that ignores the v2 handshake as v1', async () => {
    const { manager, spawn } = setup({}, { mode: 'v1' });
    cleanup = () => manager.shutdown();
    const p = manager.initialize({ ...FAST, workerPool: { ...FAST.workerPool, templates: [{ name: 'legacy', command: 'x', args: [], protocol: 'auto', voices: [{ id: 'legacy:a', engine: 'legacy', language: 'en', name: 'A', sampleRate: 16000, aliases: [] }] }] } });
    await vi.advanceTimersByTimeAsync(999);
    expect(manager.getStatus().workers[0]!.state).toBe(WorkerState.INITIALIZING);
    await vi.advanceTimersByTimeAsync(2);
    await p;
    expect(manager.getStatus().workers[0]).toMatchObject({ protocol: '1.0', state: WorkerState.READY });
    // The fake v1 worker answers with an error line matched by output_path.
    await expect(settle(manager.synthesize({ text: 'hi', voice: 'legacy:a' }))).rejects.toMatchObject({ code: 'worker_error' });
    const line = JSON.parse(spawn.children[0]!.v1Lines.at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ type: 'synthesize', text: 'hi', voice: 'legacy:a' });
    expect(String(line.output_path)).toMatch(/\.wav$/);
    // A v1 worker holds one request at a time.
    const before = spawn.children[0]!.v1Lines.length;
    const two = [manager.synthesize({ text: 'a', voice: 'legacy:a' }), manager.synthesize({ text: 'b', voice: 'legacy:a' })].map((p) => p.catch(() => undefined));
    await vi.advanceTimersByTimeAsync(1);
    expect(spawn.children[0]!.v1Lines.length - before).toBe(1);
    await settle(Promise.all(two));
    expect(spawn.children[0]!.v1Lines.length - before).toBe(2);
  });

  it('retries a request once on another worker when its worker dies mid-request', async () => {
    const { manager, spawn, logs } = setup(
      { workerPool: { minWorkers: 2 } },
      { onSynthesize: () => ({ kind: 'crash', delayMs: 20 }) },
      { onSynthesize: () => ({ kind: 'audio', delayMs: 20 }) },
    );
    cleanup = () => manager.shutdown();
    await init(manager);
    const result = await settle(manager.synthesize({ text: 'survive', voice: 'en-us', correlationId: 'req-1' }));
    expect(result.attempts).toBe(2);
    expect(result.workerId).toBe('worker-2');
    const retried = spawn.children[1]!.received.find((m) => m.type === 'request')!;
    expect(retried.metadata).toMatchObject({ correlationId: 'req-1', retryCount: 1 });
    expect(logs.some((l) => l.includes('retrying req-1'))).toBe(true);
    // The dead worker is replaced.
    await vi.advanceTimersByTimeAsync(300);
    expect(spawn.children).toHaveLength(3);
    expect(manager.getStatus().workers.map((w) => w.state)).toEqual([WorkerState.READY, WorkerState.READY]);
    expect(manager.getStatus().metrics.retriedRequests).toBe(1);
  });

  it('retries an engine error once, then fails', async () => {
    const { manager, spawn } = setup({ workerPool: { minWorkers: 2 } }, { onSynthesize: () => ({ kind: 'error', retryable: true }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const err = await settle(manager.synthesize({ text: 'doomed', voice: 'en-us' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'worker_error' });
    expect(spawn.children.reduce((n, c) => n + c.synthesized, 0)).toBe(2);
  });

  it('survives two workers dying under the same request (maxCrashRetries), fails when every try crashes', async () => {
    const { manager } = setup(
      { workerPool: { minWorkers: 3, maxWorkers: 3 } },
      { onSynthesize: () => ({ kind: 'crash' }) },
      { onSynthesize: () => ({ kind: 'crash' }) },
      { onSynthesize: () => ({ kind: 'audio' }) },
    );
    cleanup = () => manager.shutdown();
    await init(manager);
    const r = await settle(manager.synthesize({ text: 'lucky', voice: 'en-us' }));
    expect(r).toMatchObject({ attempts: 3, workerId: 'worker-3' });

    const doomed = setup({ workerPool: { minWorkers: 2 } }, { onSynthesize: () => ({ kind: 'crash' }) });
    await init(doomed.manager);
    const err = await settle(doomed.manager.synthesize({ text: 'doomed', voice: 'en-us' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PoolError);
    expect(err).toMatchObject({ code: 'worker_crashed' });
    expect(doomed.spawn.children.reduce((n, c) => n + c.synthesized, 0)).toBe(3);
    await settle(doomed.manager.shutdown());
  });

  it('does not retry caller mistakes', async () => {
    const { manager, spawn } = setup({ workerPool: { minWorkers: 2 } }, { onSynthesize: () => ({ kind: 'error', code: 'text_too_long', retryable: false }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    await expect(settle(manager.synthesize({ text: 'x', voice: 'en-us' }))).rejects.toMatchObject({ code: 'text_too_long' });
    expect(spawn.children.reduce((n, c) => n + c.synthesized, 0)).toBe(1);
  });

  it('opens a failing worker breaker, routes around it, and closes it after recovery', async () => {
    let failing = true;
    const { manager } = setup(
      { workerPool: { minWorkers: 2 }, circuitBreaker: { resetTimeoutMs: 5000, minimumRequests: 4 }, maxRetries: 0, loadBalancing: { strategy: 'round-robin' } },
      { onSynthesize: () => (failing ? { kind: 'error', code: 'engine_failed', retryable: true } : { kind: 'audio' }) },
      { onSynthesize: () => ({ kind: 'audio' }) },
    );
    cleanup = () => manager.shutdown();
    await init(manager);
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await settle(manager.synthesize({ text: `n${i}`, voice: 'en-us' })).then((x) => x.workerId, (e: PoolError) => e.code);
      outcomes.push(r);
    }
    const status = manager.getStatus();
    expect(status.workers.find((w) => w.id === 'worker-1')!.breaker).toBe('open');
    expect(status.state).toBe('degraded');
    expect(status.metrics.circuitBreakerState).toBe('open');
    // After it opened, every request went to worker-2.
    expect(outcomes.slice(-3)).toEqual(['worker-2', 'worker-2', 'worker-2']);
    expect(outcomes.filter((o) => o === 'worker_error')).toHaveLength(4);
    expect(status.workers.find((w) => w.id === 'worker-1')!.healthScore).toBeLessThan(60);
    failing = false;
    await vi.advanceTimersByTimeAsync(5000);
    // Half-open: the next requests may test worker-1 again; success closes it.
    for (let i = 0; i < 4; i++) await settle(manager.synthesize({ text: `r${i}`, voice: 'en-us' }));
    expect(manager.getStatus().workers.find((w) => w.id === 'worker-1')!.breaker).toBe('closed');
    expect(manager.getStatus().state).toBe('ready');
  });

  it('answers 503-style no_worker at once when every breaker is open', async () => {
    const { manager } = setup(
      { workerPool: { minWorkers: 1, maxWorkers: 1 }, circuitBreaker: { kind: 'consecutive', consecutiveFailures: 1, resetTimeoutMs: 7000 }, maxRetries: 0 },
      { onSynthesize: () => ({ kind: 'error', retryable: true }) },
    );
    cleanup = () => manager.shutdown();
    await init(manager);
    await expect(settle(manager.synthesize({ text: 'a', voice: 'en-us' }))).rejects.toMatchObject({ code: 'worker_error' });
    const err = await manager.synthesize({ text: 'b', voice: 'en-us' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'no_worker', retryAfterSeconds: 7 });
  });

  it('scales up when the queue reaches the threshold and down after 30 s idle', async () => {
    const { manager, spawn } = setup({ workerPool: { minWorkers: 1, maxWorkers: 3, scaleUpThreshold: 5, scaleDownThreshold: 30_000 } }, { onSynthesize: () => ({ kind: 'audio', delayMs: 100 }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const requests = Array.from({ length: 12 }, (_, i) => manager.synthesize({ text: `t${i}`, voice: 'en-us' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(spawn.children.length).toBeGreaterThanOrEqual(2);
    const results = await settle(Promise.all(requests));
    expect(new Set(results.map((r) => r.workerId)).size).toBeGreaterThanOrEqual(2);
    expect(spawn.children.length).toBe(3);
    expect(manager.getStatus().workers).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(manager.getStatus().workers).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(3000);
    await vi.advanceTimersByTimeAsync(500);
    expect(manager.getStatus().workers).toHaveLength(1);
    expect(spawn.children.filter((c) => c.alive)).toHaveLength(1);
  });

  it('preloads the queued voice in new workers (model specialization)', async () => {
    const { manager, spawn } = setup({ workerPool: { minWorkers: 1, maxWorkers: 2, scaleUpThreshold: 2 } }, { onSynthesize: () => ({ kind: 'audio', delayMs: 50 }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const requests = Array.from({ length: 4 }, () => manager.synthesize({ text: 'x', voice: 'flite:slt' }));
    await vi.advanceTimersByTimeAsync(0);
    const hs = spawn.children[1]!.received.find((m) => m.type === 'handshake')!;
    expect(hs.payload).toMatchObject({ preload: ['flite:slt'] });
    await settle(Promise.all(requests));
  });

  it('serves high priority before normal before low', async () => {
    const order: string[] = [];
    const { manager } = setup({ workerPool: { minWorkers: 1, maxWorkers: 1 } }, { onSynthesize: (text) => (order.push(text), { kind: 'audio', delayMs: 10 }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const requests = [
      manager.synthesize({ text: 'first', voice: 'en-us', priority: 'low' }),
      manager.synthesize({ text: 'low', voice: 'en-us', priority: 'low' }),
      manager.synthesize({ text: 'normal', voice: 'en-us' }),
      manager.synthesize({ text: 'high', voice: 'en-us', priority: 'high' }),
    ];
    await settle(Promise.all(requests));
    expect(order).toEqual(['first', 'high', 'normal', 'low']);
  });

  it('refuses requests beyond the queue size, and bad input', async () => {
    const { manager } = setup({ workerPool: { minWorkers: 1, maxWorkers: 1 }, queue: { maxSize: 2 } }, { onSynthesize: () => ({ kind: 'audio', delayMs: 50 }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const accepted = [0, 1, 2].map(() => manager.synthesize({ text: 'x', voice: 'en-us' }));
    await expect(manager.synthesize({ text: 'x', voice: 'en-us' })).rejects.toMatchObject({ code: 'queue_full', retryAfterSeconds: 1 });
    await expect(manager.synthesize({ text: 'x', voice: 'klingon-opera' })).rejects.toMatchObject({ code: 'unknown_voice' });
    await expect(manager.synthesize({ text: '  ', voice: 'en-us' })).rejects.toBeInstanceOf(TypeError);
    await expect(manager.synthesize({ text: 'x', voice: 'en-us', speed: 9 })).rejects.toBeInstanceOf(RangeError);
    await settle(Promise.all(accepted));
  });

  it('restarts a stuck worker after the 10 s timeout and retries elsewhere', async () => {
    const { manager, spawn } = setup({ workerPool: { minWorkers: 2 } }, { onSynthesize: () => ({ kind: 'hang' }) }, { onSynthesize: () => ({ kind: 'audio' }) });
    cleanup = () => manager.shutdown();
    await init(manager);
    const p = manager.synthesize({ text: 'slow', voice: 'en-us' });
    await vi.advanceTimersByTimeAsync(9_990);
    expect(spawn.children[0]!.alive).toBe(true);
    const r = await settle(p);
    expect(r).toMatchObject({ attempts: 2, workerId: 'worker-2' });
    await vi.advanceTimersByTimeAsync(200);
    expect(spawn.children[0]!.alive).toBe(false);
  });

  it('restarts a worker after three failed health checks', async () => {
    let answer = true;
    const { manager, spawn, logs } = setup({ health: { intervalMs: 5000, timeoutMs: 1000, failuresBeforeRestart: 3 } }, { answerHealth: () => answer }, {});
    cleanup = () => manager.shutdown();
    await init(manager);
    await vi.advanceTimersByTimeAsync(5000 + 10);
    expect(manager.getStatus().workers[0]!.rssBytes).toBe(50_000_000);
    answer = false;
    await vi.advanceTimersByTimeAsync(6000);
    expect(manager.getStatus().workers[0]!.state).toBe(WorkerState.UNHEALTHY);
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.advanceTimersByTimeAsync(500);
    expect(spawn.children[0]!.alive).toBe(false);
    expect(logs.some((l) => l.includes('restarting: health'))).toBe(true);
    expect(manager.getStatus().workers.map((w) => [w.id, w.state])).toEqual([['worker-2', WorkerState.READY]]);
  });

  it('recycles a worker after maxRequestsPerWorker', async () => {
    const { manager, spawn } = setup({ workerPool: { maxRequestsPerWorker: 3 } });
    cleanup = () => manager.shutdown();
    await init(manager);
    for (let i = 0; i < 3; i++) await settle(manager.synthesize({ text: `${i}`, voice: 'en-us' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(spawn.children[0]!.alive).toBe(false);
    expect(manager.getStatus().workers.map((w) => w.id)).toEqual(['worker-2']);
    await settle(manager.synthesize({ text: 'after', voice: 'en-us' }));
  });

  it('shuts down gracefully: drains, SIGTERM, then SIGKILL after the delay', async () => {
    const { manager, spawn } = setup({ workerPool: { drainTimeoutMs: 1000, killTimeoutMs: 2000 } }, { onSynthesize: () => ({ kind: 'audio', delayMs: 300 }) });
    await init(manager);
    const child = spawn.children[0]!;
    const signals: string[] = [];
    const realKill = child.kill.bind(child);
    child.kill = (signal = 'SIGTERM') => {
      signals.push(String(signal));
      return signal === 'SIGKILL' ? realKill('SIGKILL') : true; // ignores SIGTERM
    };
    const inflight = manager.synthesize({ text: 'finish me', voice: 'en-us' });
    await vi.advanceTimersByTimeAsync(1);
    const down = manager.shutdown();
    const r = await settle(inflight);
    expect(r.pcm.byteLength).toBeGreaterThan(0);
    await settle(down);
    expect(signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(child.alive).toBe(false);
    expect(child.stdin.writableEnded).toBe(true);
    await expect(manager.synthesize({ text: 'late', voice: 'en-us' })).rejects.toMatchObject({ code: 'shutting_down' });
  });

  it('ignores garbage on stdout around frames', async () => {
    const { manager } = setup({}, { garbage: 'Loading model... 100%\nwarn: x' });
    cleanup = () => manager.shutdown();
    await init(manager);
    const results = await settle(Promise.all([1, 2, 3].map((i) => manager.synthesize({ text: `${i}`, voice: 'en-us' }))));
    expect(results.every((r) => r.pcm.byteLength === 4410)).toBe(true);
  });

  it('validates configuration with clear TypeErrors', async () => {
    await expect(new TTSManager({ workerPool: { minWorkers: 5, maxWorkers: 2 } }).initialize()).rejects.toThrow(/minWorkers must not exceed maxWorkers/);
    await expect(new TTSManager({ loadBalancing: { strategy: 'fastest' as never } }).initialize()).rejects.toThrow(TypeError);
    await expect(new TTSManager({ circuitBreaker: { failureThreshold: 2 } }).initialize()).rejects.toThrow(/failureThreshold/);
  });
});
