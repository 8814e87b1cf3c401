// eSpeak determinism: output depends only on (text, voice, speed), never on
// what the module synthesized before, for short and long texts alike.

import { describe, expect, it } from 'vitest';
import { EspeakEngine } from './espeak.ts';
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
