// Flite engine: voices, determinism, speed, and the stability soak on the
// pinned Node (LECTOR_FLITE_SOAK=2000 for a longer run).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FLITE_VOICES, FliteEngine, PARAGRAPH_GAP_MS } from './flite.ts';

describe('FliteEngine', () => {
  it('serves its five voices deterministically at their sample rates', async () => {
    const engine = await FliteEngine.load();
    try {
      expect(engine.voices().map((v) => v.id)).toEqual(['flite:slt', 'flite:kal16', 'flite:rms', 'flite:awb', 'flite:kal']);
      for (const v of FLITE_VOICES) {
        const a = engine.synthesizeSync('Testing one two three.', `flite:${v.name}`, 1);
        expect(a.sampleRate).toBe(v.sampleRate);
        expect(a.pcm.byteLength).toBeGreaterThan(v.sampleRate / 2);
        const b = engine.synthesizeSync('Testing one two three.', `flite:${v.name}`, 1);
        expect(Buffer.from(b.pcm)).toEqual(Buffer.from(a.pcm));
      }
      const normal = engine.synthesizeSync('Speed makes this shorter.', 'flite:slt', 1);
      const fast = engine.synthesizeSync('Speed makes this shorter.', 'flite:slt', 2);
      expect(fast.pcm.byteLength).toBeLessThan(normal.pcm.byteLength * 0.7);
      expect(engine.synthesizeSync('-t --help <b> & "x"', 'flite:slt', 1).pcm.byteLength).toBeGreaterThan(1000);
      expect(() => engine.synthesizeSync('x', 'flite:nobody', 1)).toThrow(/no voice/);
    } finally {
      engine.dispose();
    }
  }, 30_000);

  it('reads a blank line inside a chunk as a paragraph: each paragraph in turn, joined by a silence', async () => {
    const engine = await FliteEngine.load();
    try {
      const first = engine.synthesizeSync('The first paragraph ends here.', 'flite:slt', 1);
      const second = engine.synthesizeSync('A second one begins.', 'flite:slt', 1);
      const both = engine.synthesizeSync('The first paragraph ends here.\n\nA second one begins.', 'flite:slt', 1);
      const gap = Buffer.alloc(Math.round((PARAGRAPH_GAP_MS / 1000) * first.sampleRate) * 2);
      expect(Buffer.from(both.pcm)).toEqual(Buffer.concat([first.pcm, gap, second.pcm]));
      // At twice the speed the silence is half as long too.
      const fast = engine.synthesizeSync('The first paragraph ends here.\n\nA second one begins.', 'flite:slt', 2);
      const fastParts = ['The first paragraph ends here.', 'A second one begins.'].map((t) => engine.synthesizeSync(t, 'flite:slt', 2).pcm.byteLength);
      expect(fast.pcm.byteLength).toBe(fastParts[0]! + fastParts[1]! + gap.byteLength / 2);
      // A single line break is no paragraph: one run, as before.
      const lines = ['One line', 'and the next.'].map((t) => engine.synthesizeSync(t, 'flite:slt', 1).pcm.byteLength);
      expect(engine.synthesizeSync('One line\nand the next.', 'flite:slt', 1).pcm.byteLength).toBeLessThan(lines[0]! + lines[1]! + gap.byteLength);
    } finally {
      engine.dispose();
    }
  }, 30_000);

  it('stretches duration over the whole 0.25–4.0 speed range', async () => {
    const engine = await FliteEngine.load();
    try {
      const bytes = (speed: number): number => engine.synthesizeSync('Speed makes this shorter.', 'flite:slt', speed).pcm.byteLength;
      const normal = bytes(1);
      expect(bytes(4) / normal).toBeGreaterThan(0.15);
      expect(bytes(4) / normal).toBeLessThan(0.35);
      expect(bytes(0.25) / normal).toBeGreaterThan(3);
      expect(bytes(0.25) / normal).toBeLessThan(5);
    } finally {
      engine.dispose();
    }
  }, 60_000);

  const count = Number(process.env.LECTOR_FLITE_SOAK ?? 200);
  it(`survives a soak of ${count} sentences with forced GCs on ${process.version}`, async () => {
    const script = fileURLToPath(new URL('./flite-soak.ts', import.meta.url));
    const child = spawn(process.execPath, ['--expose-gc', '--disable-warning=ExperimentalWarning', script, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect({ code, signal, err: err.slice(-2000) }).toEqual({ code: 0, signal: null, err: expect.any(String) });
    const summary = JSON.parse(out.trim()) as { count: number; samples: number };
    expect(summary.count).toBe(count);
    expect(summary.samples).toBeGreaterThan(count * 8000);
  }, Math.max(60_000, count * 250));
});
