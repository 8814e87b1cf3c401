// The walking skeleton, end to end through every tier: the real synthesis
// service, the real Workers runtime (wrangler dev), R2 and Durable Objects as
// workerd provides them. Each chunk's PCM must equal eSpeak NG's own output.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/core/audio/wav.ts';
import type { ChunkEventData } from '../../src/core/api/types.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';
import { readSse } from '../support/sse-client.ts';
import { sharedStack, type SharedStack } from '../support/shared-stack.ts';

const SENTENCES = ['Hello there.', 'This is Lector speaking.', 'Goodbye for now.'];

describe('walking skeleton', () => {
  let stack: SharedStack;
  beforeAll(async () => {
    stack = await sharedStack();
  });

  it('streams three sentences whose audio is byte-identical to direct eSpeak NG synthesis', async () => {
    const res = await fetch(`${stack.edgeUrl}/api/tts-stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: SENTENCES.join(' '), voiceId: 'espeak:en-us' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    const messages = events.filter((e) => e.event === 'message');
    expect(messages.map((m) => m.id)).toEqual(['0', '1', '2']);
    expect(events.at(-1)?.event).toBe('end');

    for (const [i, m] of messages.entries()) {
      const data = JSON.parse(m.data) as ChunkEventData;
      expect(data.index).toBe(i);
      expect(data.mimeType).toBe('audio/wav');
      const audio = await fetch(`${stack.edgeUrl}${data.url}`);
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe('audio/wav');
      const wav = parseWav(new Uint8Array(await audio.arrayBuffer()));
      expect(wav.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
      const direct = await synthesizeEspeakPcm(SENTENCES[i]!, 'en-us');
      expect(wav.pcm.byteLength).toBe(direct.pcm.byteLength);
      expect(Buffer.from(wav.pcm).equals(Buffer.from(direct.pcm))).toBe(true);
    }
  });

  it('serves the page at /', async () => {
    const res = await fetch(`${stack.edgeUrl}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<textarea id="text"');
    expect((await fetch(`${stack.edgeUrl}/app.js`)).status).toBe(200);
  });
});
