// EngineHost routes a voice id to its engine and passes the request's options
// through: `speed` when given, the engine's default (1) when absent.

import { describe, expect, it } from 'vitest';
import type { EngineAudio, SpeechEngine } from '../engines/engine.ts';
import { EngineHost } from './engine-host.ts';

/** Records the calls; the real engines are covered by engines/*.test.ts and the service tests. */
function recordingEngine(id: string, calls: unknown[][]): SpeechEngine {
  return {
    id,
    voices: () => [{ id: `${id}:a`, engine: id, language: 'en', name: 'A', sampleRate: 16000, aliases: [] }],
    synthesizeParts: async (...args: unknown[]): Promise<EngineAudio> => {
      calls.push(args);
      return { pcmParts: [new Uint8Array(2)], pcmBytes: 2, sampleRate: 16000, words: null };
    },
  } as SpeechEngine;
}

describe('EngineHost', () => {
  it('passes speed to the engine of the voice, 1 when the request has none', async () => {
    const calls: unknown[][] = [];
    const host = new EngineHost({ rec: async () => recordingEngine('rec', calls) });
    const out = await host.synthesize('Hello.', 'rec:a', { speed: 2.5 });
    await host.synthesize('Hello.', 'rec:a');
    expect(out.engine).toBe('rec');
    expect(calls.map((c) => c[2])).toEqual([2.5, 1]);
    expect(host.models()).toEqual(['rec:*', 'rec:a']);
  });
});

describe('EngineHost with a voice list known before loading', () => {
  it('lists the voices without loading the engine, and loads it on the first request', async () => {
    const calls: unknown[][] = [];
    let loads = 0;
    const listed = [{ id: 'lazy:a', engine: 'lazy', language: 'en', name: 'A', sampleRate: 16000, aliases: [] }];
    const host = new EngineHost({
      lazy: {
        load: async () => {
          loads++;
          return recordingEngine('lazy', calls);
        },
        voices: () => listed,
      },
    });
    expect(await host.voices()).toEqual(listed);
    expect(loads).toBe(0);
    expect(host.models()).toEqual([]);
    await host.synthesize('Hello.', 'lazy:a');
    await host.synthesize('Hello.', 'lazy:a');
    expect(loads).toBe(1);
    expect(host.models()).toEqual(['lazy:*', 'lazy:a']);
  });
});
