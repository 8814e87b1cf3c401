// eSpeak determinism: output depends only on (text, voice, speed), never on
// what the module synthesized before, for short and long texts alike.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planSpeech } from '../../core/speech-plan.ts';
import { EspeakEngine, residualSpeed } from './espeak.ts';
import { mapWordToInput, prepareEspeakText } from './espeak-text.ts';

describe('EspeakEngine', () => {
  it('gives identical bytes whatever the history and voice switches', async () => {
    const long = 'This paragraph is long enough to overflow the small string buffer of the binding. '.repeat(6);
    const target = 'Determinism is a hard requirement.';
    const fresh = await EspeakEngine.load();
    const expectedTarget = fresh.synthesizeSync(target, 'espeak:en-us', 1);
    const freshLong = await EspeakEngine.load();
    const expectedLong = freshLong.synthesizeSync(long, 'espeak:en-gb', 1);

    const used = await EspeakEngine.load();
    used.synthesizeSync('Something else first.', 'espeak:fr-fr', 1.7);
    used.synthesizeSync(long, 'espeak:de', 0.5);
    expect(Buffer.from(used.synthesizeSync(target, 'espeak:en-us', 1).pcm)).toEqual(Buffer.from(expectedTarget.pcm));
    used.synthesizeSync('x', 'espeak:en-us', 3);
    const again = used.synthesizeSync(long, 'espeak:en-gb', 1);
    expect(Buffer.from(again.pcm)).toEqual(Buffer.from(expectedLong.pcm));
    expect(again.words).toEqual(expectedLong.words);
  }, 60_000);

  it('changes the rate with speed and rejects unknown voices', async () => {
    const e = await EspeakEngine.load();
    const normal = e.synthesizeSync('Speed changes the length.', 'espeak:en-us', 1);
    const fast = e.synthesizeSync('Speed changes the length.', 'espeak:en-us', 2);
    expect(fast.pcm.byteLength).toBeLessThan(normal.pcm.byteLength * 0.75);
    expect(() => e.synthesizeSync('x', 'espeak:xx-none', 1)).toThrow(/no voice/);
  }, 30_000);

  it('reads a blank line inside a chunk as a paragraph pause, with words still at their offsets', async () => {
    const e = await EspeakEngine.load();
    const sentence = e.synthesizeSync('Hello there. Second sentence & here.', 'espeak:en-us', 1);
    const text = 'Hello there.\n\nSecond sentence & here.';
    const paragraph = e.synthesizeSync(text, 'espeak:en-us', 1);
    const ms = (o: { pcm: Uint8Array; sampleRate: number }) => (o.pcm.byteLength / 2 / o.sampleRate) * 1000;
    // About half a second more than a sentence break (PARAGRAPH_BREAK_MS replaces eSpeak's own ~400 ms).
    expect(ms(paragraph) - ms(sentence)).toBeGreaterThan(350);
    expect(ms(paragraph) - ms(sentence)).toBeLessThan(700);
    expect(paragraph.words!.map(([o, l]) => text.slice(o, o + l))).toEqual(['Hello', 'there', 'Second', 'sentence', '&', 'here']);
    const second = paragraph.words![2]!;
    expect(second[2] - sentence.words![2]![2]).toBeGreaterThan(350);
  }, 30_000);
});

describe('EspeakEngine speed', () => {
  const TEXT = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);
  const wordsOf = (words: readonly (readonly number[])[] | null): string[] => (words ?? []).map(([o, l]) => TEXT.slice(o!, o! + l!));

  it('speed 1.0 gives the bytes it gave before speed control beyond eSpeak rates existed', async () => {
    const e = await EspeakEngine.load();
    const out = e.synthesizeSync(TEXT, 'espeak:en-us', 1);
    // Recorded from the engine before Sonic was added (same eSpeak build).
    expect([out.pcm.byteLength, sha(out.pcm)]).toEqual([263954, 'ed24371774f1d931']);
  }, 30_000);

  it.each([
    [2, 0.4, 0.6],
    [4, 0.18, 0.32],
    [0.5, 1.7, 2.3],
    [0.25, 3.4, 4.6],
  ])('speed %f scales duration and word times, words stay in order', async (speed, lo, hi) => {
    const e = await EspeakEngine.load();
    const normal = e.synthesizeSync(TEXT, 'espeak:en-us', 1);
    const out = e.synthesizeSync(TEXT, 'espeak:en-us', speed);
    const ratio = out.pcm.byteLength / normal.pcm.byteLength;
    expect(ratio).toBeGreaterThan(lo);
    expect(ratio).toBeLessThan(hi);
    expect(wordsOf(out.words)).toEqual(wordsOf(normal.words));
    const totalMs = (out.pcm.byteLength / 2 / out.sampleRate) * 1000;
    let last = -1;
    for (const [, , start, end] of out.words!) {
      expect(start!).toBeGreaterThanOrEqual(last);
      expect(end!).toBeLessThanOrEqual(Math.round(totalMs));
      last = start!;
    }
    // The last word starts at about the same fraction of the audio at any speed.
    const fraction = (w: readonly (readonly number[])[], ms: number): number => w[w.length - 1]![2]! / ms;
    expect(fraction(out.words!, totalMs)).toBeCloseTo(fraction(normal.words!, (normal.pcm.byteLength / 2 / normal.sampleRate) * 1000), 1);
    // Deterministic beyond eSpeak's own rates too (Sonic).
    expect(sha(e.synthesizeSync(TEXT, 'espeak:en-us', speed).pcm)).toBe(sha(out.pcm));
  }, 30_000);

  it('leaves Sonic out inside eSpeak rates', () => {
    expect(residualSpeed(1)).toBe(1);
    expect(residualSpeed(2)).toBe(1);
    expect(residualSpeed(0.5)).toBe(1);
    expect(residualSpeed(4)).toBeCloseTo(4 / (450 / 175), 3);
    expect(residualSpeed(0.25)).toBeCloseTo(0.25 / (80 / 175), 3);
  });
});

describe('EspeakEngine phoneme input from the planner', () => {
  it('reads a lexicon IPA entry exactly as it reads the word it spells', async () => {
    const e = await EspeakEngine.load();
    const [plan] = planSpeech('Say hullo now.', { lexicon: [{ match: 'hullo', say: '/həˈloʊ/' }], phonemes: 'espeak' });
    expect(plan).toMatchObject({ text: 'Say hullo now.', speak: "Say [[h@'loU]] now." });
    const viaIpa = e.synthesizeSync(plan!.speak!, 'espeak:en-us', 1);
    const plain = e.synthesizeSync('Say hello now.', 'espeak:en-us', 1);
    expect(Buffer.from(viaIpa.pcm)).toEqual(Buffer.from(plain.pcm));
    const unchanged = e.synthesizeSync('Say hullo now.', 'espeak:en-us', 1);
    expect(Buffer.from(unchanged.pcm)).not.toEqual(Buffer.from(plain.pcm));
  }, 30_000);
});

describe('prepareEspeakText', () => {
  it('escapes markup and maps positions back to the input', () => {
    const input = 'a <b> & 😀 é\u0000z';
    const p = prepareEspeakText(input);
    expect(p.text).toBe('a &lt;b&gt; &amp; 😀 é z');
    // 'b' is code point 6 (1-based) of the escaped text: "a", " ", "&","l","t",";","b"
    expect(mapWordToInput(p, 7, 1)).toEqual([3, 1]);
    // the emoji: code point 19, two UTF-16 units in the input at offset 8
    const emojiPos = [...p.text].indexOf('😀') + 1;
    expect(mapWordToInput(p, emojiPos, 1)).toEqual([8, 2]);
    // a word spanning an entity maps to the whole source range
    const ampPos = p.text.indexOf('&amp;') + 1; // ASCII before it: code units = code points
    expect(mapWordToInput(p, ampPos, 5)).toEqual([6, 1]);
  });
});
