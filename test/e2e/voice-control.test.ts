// Voice control in jobs on the real stack (issue 13 items 1–4), with eSpeak
// NG's deterministic audio: speed, a pronunciation lexicon, SSML pauses, and
// redoing one passage — plus the bad input for each, every case a 4xx with a
// code and the service still healthy.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobResponse, JobState } from '../../src/core/api/types.ts';
import { parseWav } from '../../src/core/audio/wav.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';
import { expectedJobPcm } from '../support/expected-audio.ts';
import { waitForJobEnd } from '../support/job-end.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

const JSON_CT = { 'content-type': 'application/json' };

describe('voice control in jobs', () => {
  let stack: SharedStack;

  beforeAll(async () => {
    stack = await sharedStack();
  });

  async function create(body: unknown, path = '/api/tts', headers: Record<string, string> = JSON_CT): Promise<CreateJobResponse> {
    const res = await fetch(`${stack.edgeUrl}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    expect(res.status, text).toBe(202);
    return JSON.parse(text) as CreateJobResponse;
  }

  async function chunkPcm(jobId: string, index: number): Promise<Buffer> {
    const res = await fetch(`${stack.edgeUrl}/api/tts/${jobId}/chunks/${index}`);
    expect(res.status).toBe(200);
    return Buffer.from(parseWav(new Uint8Array(await res.arrayBuffer())).pcm);
  }

  async function wholePcm(jobId: string): Promise<Buffer> {
    const res = await fetch(`${stack.edgeUrl}/api/tts/${jobId}/audio`);
    expect(res.status).toBe(200);
    return Buffer.from(parseWav(new Uint8Array(await res.arrayBuffer())).pcm);
  }

  it('speed 2.0 gives about half the duration, the same words in order, and eSpeak’s own audio at that speed', async () => {
    const text = 'The quick brown fox jumps over the lazy dog near the quiet river bank.';
    const slow = await create({ text, voiceId: 'espeak:en-us' });
    const fast = await create({ text, voiceId: 'espeak:en-us', speed: 2 });
    const [a, b] = [await waitForJobEnd(stack.edgeUrl, slow.jobId), await waitForJobEnd(stack.edgeUrl, fast.jobId)];
    expect(a.status).toBe('completed');
    expect(b.status).toBe('completed');
    expect(b.chunks!.map((c) => c.text)).toEqual(a.chunks!.map((c) => c.text));
    expect(b.chunks![0]!.speed).toBe(2);
    const ratio = b.chunks![0]!.durationMs! / a.chunks![0]!.durationMs!;
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
    // Word timings come from the audio: same words, in order, ending about twice as early.
    const wa = a.chunks![0]!.words!;
    const wb = b.chunks![0]!.words!;
    expect(wb.map((w) => w.text)).toEqual(wa.map((w) => w.text));
    for (let i = 1; i < wb.length; i++) expect(wb[i]!.startMs).toBeGreaterThanOrEqual(wb[i - 1]!.startMs);
    expect(wb.at(-1)!.endMs / wa.at(-1)!.endMs).toBeLessThan(0.65);
    const direct = await synthesizeEspeakPcm(text, 'en-us', 2);
    expect((await chunkPcm(fast.jobId, 0)).equals(Buffer.from(direct.pcm))).toBe(true);
  });

  it('speed on the orchestrator’s /v1/audio/speech: about half as long', async () => {
    const speak = async (speed: number) => {
      const res = await fetch(`${stack.edgeUrl}/v1/audio/speech`, { method: 'POST', headers: JSON_CT, body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'Speak this sentence at the speed I ask for, please.', response_format: 'wav', speed }) });
      expect(res.status).toBe(200);
      return parseWav(new Uint8Array(await res.arrayBuffer())).pcm.byteLength;
    };
    const ratio = (await speak(2)) / (await speak(1));
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
  });

  it('a lexicon entry changes the audio of exactly the chunks with the word, never their text', async () => {
    const text = 'Darcy rode north at dawn.\n\nThe rain fell hard on the road.\n\nMister Darcy smiled at last.\n\nNobody spoke a word.';
    const plain = await create({ text, voiceId: 'espeak:en-us' });
    const said = await create({ text, voiceId: 'espeak:en-us', lexicon: [{ match: 'Darcy', say: 'Dorsey' }] });
    const [a, b] = [await waitForJobEnd(stack.edgeUrl, plain.jobId), await waitForJobEnd(stack.edgeUrl, said.jobId)];
    expect(b.status).toBe('completed');
    expect(b.chunks!.map((c) => c.text)).toEqual(a.chunks!.map((c) => c.text));
    let changed = 0;
    let same = 0;
    for (const c of b.chunks!) {
      const [pa, pb] = [await chunkPcm(plain.jobId, c.index), await chunkPcm(said.jobId, c.index)];
      if (/\bDarcy\b/.test(c.text)) {
        changed++;
        expect(c.speak).toBe(c.text.replace(/\bDarcy\b/g, 'Dorsey'));
        expect(pb.equals(pa)).toBe(false);
        expect(pb.equals(Buffer.from((await synthesizeEspeakPcm(c.speak!, 'en-us')).pcm))).toBe(true);
      } else {
        same++;
        expect(c.speak).toBeUndefined();
        expect(pb.equals(pa)).toBe(true);
      }
    }
    expect(changed).toBeGreaterThanOrEqual(1);
    expect(same).toBeGreaterThanOrEqual(1);
    // What is shown keeps the written word.
    const vtt = (await (await fetch(`${stack.edgeUrl}/api/tts/${said.jobId}/captions.vtt`)).text()).replace(/<[^>]+>/g, '');
    expect(vtt).toContain('Darcy');
    expect(vtt).not.toContain('Dorsey');
    // Word timings are mapped back to the shown words; a respelled word has none (wordsForShownText).
    const words = await (await fetch(`${stack.edgeUrl}/api/tts/${said.jobId}/captions.vtt?level=word`)).text();
    expect(words).toMatch(/\nrode\n/);
    expect(words).not.toContain('Dorsey');
  });

  it('SSML break time="2s" is 2 s of silence in the whole WAV and in the caption timings (JSON and raw body)', async () => {
    const ssml = '<speak>\n  <p>The first part ends here.</p>\n  <break time="2s"/>\n  <p>The second part starts here.</p>\n</speak>';
    const viaJson = await create({ text: ssml, inputFormat: 'ssml', voiceId: 'espeak:en-us' });
    const viaBody = await create(ssml, '/api/tts?voiceId=espeak:en-us', { 'content-type': 'application/ssml+xml' });
    for (const job of [viaJson, viaBody]) {
      const s = await waitForJobEnd(stack.edgeUrl, job.jobId);
      expect(s.status).toBe('completed');
      expect(s.chunks!.map((c) => c.text)).toEqual(['The first part ends here.', 'The second part starts here.']);
      expect(s.chunks![1]!.pauseBeforeMs).toBe(2000);
      const [c0, c1] = [await chunkPcm(job.jobId, 0), await chunkPcm(job.jobId, 1)];
      const rate = parseWav(new Uint8Array(await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/chunks/0`)).arrayBuffer())).format.sampleRate;
      const silence = Buffer.alloc(2 * rate * 2); // 2 s of 16-bit mono
      expect((await wholePcm(job.jobId)).equals(Buffer.concat([c0, silence, c1]))).toBe(true);
      const vtt = await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/captions.vtt`)).text();
      const times = [...vtt.matchAll(/(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)/g)].map((m) => {
        const ms = (h: string, mi: string, se: string, f: string) => ((Number(h) * 60 + Number(mi)) * 60 + Number(se)) * 1000 + Number(f);
        return [ms(m[1]!, m[2]!, m[3]!, m[4]!), ms(m[5]!, m[6]!, m[7]!, m[8]!)] as const;
      });
      expect(times).toHaveLength(2);
      expect(Math.abs(times[1]![0] - times[0]![1] - 2000)).toBeLessThanOrEqual(2);
    }
  });

  it('redoing chunk k changes the bytes of chunk k only, synthesizes nothing else, and the whole file follows', async () => {
    const text = 'One fine morning the house was still.\n\nA bird sang in the old tree.\n\nThis sentence will be replaced.\n\nThe day went on as before.';
    const job = await create({ text, voiceId: 'espeak:en-us' });
    const before = await waitForJobEnd(stack.edgeUrl, job.jobId);
    expect(before.status).toBe('completed');
    const k = before.chunks!.findIndex((c) => c.text.includes('replaced'));
    expect(k).toBeGreaterThan(0);
    const old = await Promise.all(before.chunks!.map((c) => chunkPcm(job.jobId, c.index)));
    // The job's synthesis requests, per chunk, as the proxy before the service counts them (other files' jobs share the service).
    const calls = await stack.synthRequests(job.jobId);
    const replacement = 'A brand new line takes its place.';
    const res = await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/chunks/${k}`, { method: 'PATCH', headers: JSON_CT, body: JSON.stringify({ text: replacement }) });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ jobId: job.jobId, index: k, text: replacement, status: 'pending' });
    const after = await waitForJobEnd(stack.edgeUrl, job.jobId);
    expect(after.status).toBe('completed');
    const callsAfter = await stack.synthRequests(job.jobId);
    expect(callsAfter.total).toBe(calls.total + 1);
    expect([...callsAfter.byChunk]).toEqual([...calls.byChunk].map(([i, n]) => [i, i === k ? n + 1 : n]));
    expect(after.chunks!.map((c) => c.text)).toEqual(before.chunks!.map((c, i) => (i === k ? replacement : c.text)));
    for (const c of after.chunks!) {
      const pcm = await chunkPcm(job.jobId, c.index);
      if (c.index === k) {
        expect(pcm.equals(old[k]!)).toBe(false);
        expect(pcm.equals(Buffer.from((await synthesizeEspeakPcm(replacement, 'en-us')).pcm))).toBe(true);
      } else {
        expect(pcm.equals(old[c.index]!)).toBe(true);
      }
    }
    expect((await wholePcm(job.jobId)).equals(await expectedJobPcm(after.chunks!))).toBe(true);
    // Cues carry word timings (`<00:00:05.115>brand`): compare the words without them.
    const vtt = (await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/captions.vtt`)).text()).replace(/<[^>]+>/g, '');
    expect(vtt).toContain(replacement);
    expect(vtt).not.toContain('will be replaced');
    // A stream opened now replays the job with the new passage and ends.
    const sse = await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/events`)).text();
    expect(sse).toContain(replacement);
    expect(sse).toContain('event: end');
  });

  it('redoing a passage of a book job rebuilds the assembled book with the new audio', async () => {
    const job = await create({ title: 'Redo', audioFormat: 'wav', chapters: [{ title: 'One', text: 'The first note is here.\n\nThe second note is wrong.' }, { title: 'Two', text: 'The third note ends it.' }] });
    const bookDone = async (): Promise<JobState> => {
      const deadline = Date.now() + 150_000;
      for (;;) {
        const s = (await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}?include=chunks`)).json()) as JobState;
        if (s.status === 'completed' && s.book?.status === 'done') return s;
        if (s.status === 'failed' || Date.now() > deadline) throw new Error(`book not done: ${JSON.stringify({ status: s.status, book: s.book })}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const bookPcm = async (s: JobState): Promise<{ book: Buffer; expected: Buffer }> => {
      const book = Buffer.from(parseWav(new Uint8Array(await (await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/audio`)).arrayBuffer())).pcm);
      const parts: Buffer[] = [];
      for (const c of s.chunks!) {
        const pcm = await chunkPcm(job.jobId, c.index);
        if (c.index > 0) parts.push(Buffer.alloc(Math.round((c.paragraphStart ? 0.8 : 0.3) * 22050) * 2));
        parts.push(pcm);
      }
      return { book, expected: Buffer.concat(parts) };
    };
    const first = await bookPcm(await bookDone());
    expect(first.book.equals(first.expected)).toBe(true);
    const k = 1;
    const res = await fetch(`${stack.edgeUrl}/api/tts/${job.jobId}/chunks/${k}`, { method: 'PATCH', headers: JSON_CT, body: JSON.stringify({ text: 'The second note is right now.' }) });
    expect(res.status).toBe(202);
    const after = await bookDone();
    expect(after.chunks![k]!.text).toBe('The second note is right now.');
    const second = await bookPcm(after);
    expect(second.book.equals(second.expected)).toBe(true);
    expect(second.book.equals(first.book)).toBe(false);
  });

  describe('bad input: a 4xx with a code, the service unharmed', () => {
    let done: CreateJobResponse;
    let deleted: CreateJobResponse;
    beforeAll(async () => {
      done = await create({ text: 'A finished job.\n\nWith two chunks.', voiceId: 'espeak:en-us' });
      deleted = await create({ text: 'A job that is deleted.', voiceId: 'espeak:en-us' });
      await waitForJobEnd(stack.edgeUrl, done.jobId);
      await waitForJobEnd(stack.edgeUrl, deleted.jobId);
      expect((await fetch(`${stack.edgeUrl}/api/tts/${deleted.jobId}`, { method: 'DELETE' })).status).toBe(200);
    });

    const tts = (body: unknown) => ({ method: 'POST', path: () => '/api/tts', headers: JSON_CT, body: JSON.stringify(body) });
    const patch = (path: (c: { done: string; deleted: string }) => string, body: unknown) => ({ method: 'PATCH', path, headers: JSON_CT, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const cases: { name: string; method: string; path: (c: { done: string; deleted: string }) => string; headers: Record<string, string>; body: string; status: number; code: string; message?: RegExp }[] = [
      { name: 'speed 0.1', ...tts({ text: 'Hi.', speed: 0.1 }), status: 400, code: 'invalid_speed' },
      { name: 'speed 4.5', ...tts({ text: 'Hi.', speed: 4.5 }), status: 400, code: 'invalid_speed' },
      { name: 'speed as text', ...tts({ text: 'Hi.', speed: 'fast' }), status: 400, code: 'invalid_speed' },
      { name: 'document upload ?speed=9', method: 'POST', path: () => '/api/tts?speed=9', headers: { 'content-type': 'text/plain' }, body: 'Hello there.', status: 400, code: 'invalid_speed' },
      { name: '/v1/audio/speech speed 5', method: 'POST', path: () => '/v1/audio/speech', headers: JSON_CT, body: JSON.stringify({ voice: 'alloy', input: 'Hi.', speed: 5 }), status: 400, code: 'validation_failed' },
      { name: 'lexicon of 1,001 entries', ...tts({ text: 'Hi.', lexicon: Array.from({ length: 1001 }, (_, i) => ({ match: `w${i}`, say: 'x' })) }), status: 400, code: 'lexicon_too_large' },
      { name: 'lexicon entry with empty match', ...tts({ text: 'Hi.', lexicon: [{ match: '', say: 'x' }] }), status: 400, code: 'invalid_lexicon' },
      { name: 'lexicon entry with empty say', ...tts({ text: 'Hi.', lexicon: [{ match: 'Hi', say: '  ' }] }), status: 400, code: 'invalid_lexicon' },
      { name: 'lexicon not an array', ...tts({ text: 'Hi.', lexicon: { Darcy: 'Dorsey' } }), status: 400, code: 'invalid_lexicon' },
      { name: 'malformed SSML names line and column', ...tts({ text: '<speak>\n  <p>Open paragraph\n</speak>', inputFormat: 'ssml' }), status: 400, code: 'invalid_ssml', message: /line \d+, column \d+/ },
      { name: 'malformed SSML raw body', method: 'POST', path: () => '/api/tts', headers: { 'content-type': 'application/ssml+xml' }, body: '<speak><break time="2s"></speak>', status: 400, code: 'invalid_ssml', message: /line \d+, column \d+/ },
      { name: 'SSML with nothing to speak', ...tts({ text: '<speak><break time="1s"/></speak>', inputFormat: 'ssml' }), status: 400, code: 'empty_text' },
      { name: 'SSML with chapters', ...tts({ chapters: [{ title: 'A', text: '<speak>Hi.</speak>' }], inputFormat: 'ssml' }), status: 400, code: 'validation_failed' },
      { name: 'redo of a chunk that does not exist', ...patch((c) => `/api/tts/${c.done}/chunks/9999`, { text: 'New.' }), status: 404, code: 'chunk_not_found' },
      { name: 'redo of a deleted job', ...patch((c) => `/api/tts/${c.deleted}/chunks/0`, { text: 'New.' }), status: 404, code: 'job_not_found' },
      { name: 'redo with empty text', ...patch((c) => `/api/tts/${c.done}/chunks/0`, { text: '   ' }), status: 400, code: 'empty_text' },
      { name: 'redo without text', ...patch((c) => `/api/tts/${c.done}/chunks/0`, { words: 'New.' }), status: 400, code: 'validation_failed' },
      { name: 'redo with text over the chunk limit', ...patch((c) => `/api/tts/${c.done}/chunks/0`, { text: 'word '.repeat(201) }), status: 413, code: 'chunk_too_long' },
      { name: 'redo with a bad index', ...patch((c) => `/api/tts/${c.done}/chunks/-1`, { text: 'New.' }), status: 400, code: 'invalid_chunk_index' },
      { name: 'redo with invalid JSON', ...patch((c) => `/api/tts/${c.done}/chunks/0`, '{"text": '), status: 400, code: 'invalid_json' },
    ];

    it(`has at least 10 cases (${cases.length})`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(10);
    });

    it.each(cases)('$name → $status $code', async (c) => {
      const res = await fetch(`${stack.edgeUrl}${c.path({ done: done.jobId, deleted: deleted.jobId })}`, { method: c.method, headers: c.headers, body: c.body });
      const text = await res.text();
      expect(res.status, text).toBe(c.status);
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(c.code);
      expect(body.error.message.length).toBeGreaterThan(0);
      if (c.message) expect(body.error.message).toMatch(c.message);
      expect((await fetch(`${stack.edgeUrl}/api/health`)).status).toBe(200);
      expect((await fetch(`${stack.synthUrl}/health`)).status).toBe(200);
    });

    it('left the finished job untouched', async () => {
      const s = await waitForJobEnd(stack.edgeUrl, done.jobId);
      expect(s.status).toBe('completed');
      expect(s.chunks!.every((c) => c.attempts === 1)).toBe(true);
      expect((await wholePcm(done.jobId)).equals(await expectedJobPcm(s.chunks!))).toBe(true);
    });
  });
});
