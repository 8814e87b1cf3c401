// HTTP contract over fake workers: OpenAI-shaped errors with the right
// statuses, token on every route but /health, limits, formats and headers,
// voices, status, metrics and the dashboard.

import { afterEach, describe, expect, it } from 'vitest';
import { parseWav } from '../../core/audio/wav.ts';
import type { TTSManagerOptions } from '../config.ts';
import { startSynthServer, type SynthServer } from '../server.ts';
import { fakeSpawner, type FakeBehavior } from '../testing/fake-child.ts';

const TOKEN = 'test-token-123';
const servers: SynthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: { token?: string; maxInputChars?: number; maxBodyBytes?: number; manager?: TTSManagerOptions; behavior?: FakeBehavior } = {}): Promise<SynthServer> {
  const manager: TTSManagerOptions = {
    ...opts.manager,
    workerPool: { minWorkers: 1, maxWorkers: 1, drainTimeoutMs: 0, killTimeoutMs: 50, templates: [{ name: 'fake', command: 'fake', args: [], protocol: '2.1' }], ...opts.manager?.workerPool },
  };
  const s = await startSynthServer({ port: 0, token: opts.token, maxInputChars: opts.maxInputChars, maxBodyBytes: opts.maxBodyBytes, manager, deps: { spawn: fakeSpawner(opts.behavior ?? {}), log: () => {} } });
  servers.push(s);
  return s;
}

function post(s: SynthServer, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorOf(res: Response): Promise<{ status: number; error: { message: string; type: string; param: string | null; code: string } }> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return { status: res.status, ...((await res.json()) as { error: { message: string; type: string; param: string | null; code: string } }) };
}

describe('POST /v1/audio/speech', () => {
  it('returns WAV and raw PCM on request, with Lector headers', async () => {
    const s = await serve();
    const wavRes = await post(s, { model: 'tts-1', input: 'Hello there.', voice: 'alloy', response_format: 'wav' });
    expect(wavRes.status).toBe(200);
    expect(wavRes.headers.get('content-type')).toBe('audio/wav');
    const wav = parseWav(new Uint8Array(await wavRes.arrayBuffer()));
    expect(wav.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(wav.pcm.byteLength).toBe(4410);
    expect(wavRes.headers.get('x-lector-duration-ms')).toBe('100');
    expect(wavRes.headers.get('x-lector-sample-rate')).toBe('22050');
    expect(wavRes.headers.get('x-lector-engine')).toBe('espeak');
    expect(JSON.parse(wavRes.headers.get('x-lector-words')!)).toEqual([[0, 1, 0, 50]]);
    const pcmRes = await post(s, { input: 'Hello there.', voice: 'espeak:en-us', response_format: 'pcm', speed: 1.5 });
    expect(pcmRes.headers.get('content-type')).toBe('audio/pcm');
    expect(pcmRes.headers.get('x-sample-rate')).toBe('22050');
    expect((await pcmRes.arrayBuffer()).byteLength).toBe(4410);
  });

  it('answers bad input with 4xx in OpenAI error shape, and stays up', async () => {
    const s = await serve({ maxInputChars: 100, maxBodyBytes: 2000 });
    expect(await errorOf(await post(s, { input: 'x', voice: 'nobody' }))).toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error', param: 'voice', code: 'unknown_voice', message: expect.stringContaining('espeak:en-us') },
    });
    expect(await errorOf(await post(s, '{"input": "x", '))).toMatchObject({ status: 400, error: { code: 'invalid_json' } });
    expect(await errorOf(await post(s, { voice: 'alloy' }))).toMatchObject({ status: 400, error: { code: 'validation_failed', param: 'input' } });
    expect(await errorOf(await post(s, { input: '   ', voice: 'alloy' }))).toMatchObject({ status: 400, error: { code: 'empty_text' } });
    expect(await errorOf(await post(s, { input: 'x', voice: 'alloy', response_format: 'ogg' }))).toMatchObject({ status: 400, error: { param: 'response_format' } });
    expect(await errorOf(await post(s, { input: 'x', voice: 'alloy', speed: 0.2 }))).toMatchObject({ status: 400, error: { param: 'speed' } });
    expect(await errorOf(await post(s, { input: 'x', voice: 'alloy', speed: '2' }))).toMatchObject({ status: 400, error: { param: 'speed' } });
    expect(await errorOf(await post(s, { input: 'x', voice: 'alloy', speed: 4.5 }))).toMatchObject({ status: 400, error: { param: 'speed' } });
    expect(await errorOf(await post(s, { input: 'x'.repeat(101), voice: 'alloy' }))).toMatchObject({ status: 413, error: { code: 'text_too_long', param: 'input' } });
    expect(await errorOf(await post(s, `{"input":"x","voice":"alloy"${' '.repeat(3000)}}`))).toMatchObject({ status: 413, error: { code: 'payload_too_large' } });
    const form = await fetch(`${s.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(await errorOf(form)).toMatchObject({ status: 415, error: { code: 'unsupported_media_type' } });
    expect(await errorOf(await post(s, { input: 'x', voice: 'alloy' }, { 'x-lector-priority': 'urgent' }))).toMatchObject({ status: 400 });
    expect(await errorOf(await fetch(`${s.url}/nope`))).toMatchObject({ status: 404, error: { code: 'not_found' } });
    expect((await post(s, { input: 'still up', voice: 'alloy' })).status).toBe(200);
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    const s = await serve({ manager: { queue: { maxSize: 1 } }, behavior: { onSynthesize: () => ({ kind: 'audio', delayMs: 300 }) } });
    const responses = await Promise.all([1, 2, 3, 4].map((i) => post(s, { input: `n${i}`, voice: 'alloy' })));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await errorOf(limited)).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limited' } });
  });

  it('answers 503 with Retry-After when no worker can serve', async () => {
    const s = await serve({
      manager: { maxRetries: 0, circuitBreaker: { kind: 'consecutive', consecutiveFailures: 1, resetTimeoutMs: 30_000 } },
      behavior: { onSynthesize: () => ({ kind: 'error', retryable: true }) },
    });
    const first = await post(s, { input: 'x', voice: 'alloy' });
    expect(await errorOf(first)).toMatchObject({ status: 503, error: { type: 'server_error', code: 'synthesis_failed' } });
    const second = await post(s, { input: 'x', voice: 'alloy' });
    expect(second.status).toBe(503);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect((await errorOf(second)).error.code).toBe('backend_unavailable');
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(200); // the worker is alive, only its breaker is open
    expect(((await (await fetch(`${s.url}/status`)).json()) as { state: string }).state).toBe('degraded');
  });
});

describe('token, health, voices, status, metrics, dashboard', () => {
  it('requires the bearer token everywhere but /health', async () => {
    const s = await serve({ token: TOKEN });
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    for (const path of ['/status', '/metrics', '/v1/voices', '/dashboard']) {
      const res = await fetch(`${s.url}${path}`);
      expect(await errorOf(res)).toMatchObject({ status: 401, error: { type: 'authentication_error', code: 'unauthorized' } });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${s.url}${path}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    }
    expect((await post(s, { input: 'x', voice: 'alloy' })).status).toBe(401);
    expect((await post(s, { input: 'x', voice: 'alloy' }, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startSynthServer({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/LECTOR_SYNTH_TOKEN/);
  });

  it('lists voices, reports status and Prometheus metrics', async () => {
    const s = await serve();
    await post(s, { input: 'count me', voice: 'slt' });
    const voices = (await (await fetch(`${s.url}/v1/voices`)).json()) as { voices: Record<string, unknown>[] };
    expect(voices.voices).toContainEqual({ id: 'flite:slt', engine: 'flite', language: 'en-us', name: 'Flite SLT', sampleRate: 16000 });
    const status = (await (await fetch(`${s.url}/status`)).json()) as { state: string; workers: { state: string; healthScore: number; breaker: string }[]; metrics: Record<string, unknown> };
    expect(status.state).toBe('ready');
    expect(status.workers[0]).toMatchObject({ state: 'READY', breaker: 'closed' });
    expect(status.metrics).toMatchObject({ totalRequests: 1, successRate: 1, activeWorkers: 1, queueDepth: 0, circuitBreakerState: 'closed' });
    for (const key of ['averageLatency', 'requestsPerSecond', 'workerHealth', 'memoryUsage', 'cpuUsage']) expect(status.metrics).toHaveProperty(key);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    for (const name of [
      'lector_synth_request_duration_seconds_bucket',
      'lector_synth_requests_per_second',
      'lector_synth_queue_depth{priority="normal"} 0',
      'lector_synth_success_rate 1',
      'lector_synth_circuit_breaker_state{worker="worker-1"} 0',
      'lector_synth_worker_health_score{worker="worker-1"}',
      'lector_synth_memory_bytes',
      'lector_synth_cpu_usage',
      'lector_synth_active_workers 1',
      'lector_synth_requests_total{outcome="success"} 1',
    ]) {
      expect(metrics).toContain(name);
    }
    const dash = await fetch(`${s.url}/dashboard`);
    expect(dash.headers.get('content-type')).toMatch(/text\/html/);
    expect(await dash.text()).toContain('/status');
  });

  it('reports unavailable on /health once no worker is READY', async () => {
    const s = await serve();
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    await s.manager.shutdown();
    const res = await fetch(`${s.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', ready: false });
  });
});
