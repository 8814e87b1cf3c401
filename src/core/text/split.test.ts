import { describe, expect, it } from 'vitest';
import { isLectorError } from '../errors.ts';
import type { LectorError } from '../errors.ts';
import { getTextCharacterCount } from './count.ts';
import { normalizeText, paragraphsOf } from './normalize.ts';
import { DEFAULT_MAX_TOKENS, resolveSplitOptions } from './options.ts';
import {
  DEFAULT_MAX_CHARS,
  DEFAULT_TARGET_CHARS,
  iterateChunks,
  MAX_JOB_CHARS,
  splitIntoChunks,
  splitParagraphs,
  splitText,
} from './split.ts';
import type { SplitOptions, TextChunk } from './split.ts';

const texts = (chunks: TextChunk[]): string[] => chunks.map((c) => c.text);

function lectorError(fn: () => unknown): LectorError {
  try {
    fn();
  } catch (e) {
    if (isLectorError(e)) return e;
    throw e;
  }
  throw new Error('expected a LectorError');
}

describe('splitText: sentence (default)', () => {
  it('has the documented defaults', () => {
    expect([DEFAULT_TARGET_CHARS, DEFAULT_MAX_CHARS, DEFAULT_MAX_TOKENS, MAX_JOB_CHARS]).toEqual([250, 500, 40, 1_000_000]);
    expect(resolveSplitOptions()).toEqual({ preference: 'sentence', targetChars: 250, maxChars: 500, maxTokens: 40 });
  });

  it('merges short sentences up to the target', () => {
    const chunks = splitText('One. Two. Three. Four. Five.', { targetChars: 10 });
    expect(texts(chunks)).toEqual(['One. Two.', 'Three.', 'Four.', 'Five.']);
    expect(texts(splitText('One. Two. Three. Four. Five.', { targetChars: 16 }))).toEqual(['One. Two. Three.', 'Four. Five.']);
    expect(texts(splitText('One. Two. Three. Four. Five.'))).toEqual(['One. Two. Three. Four. Five.']);
  });

  it('never merges across a paragraph, and flags each paragraph start', () => {
    const chunks = splitText('One. Two.\n\nThree. Four.\nFive.\n\n\nSix.', { targetChars: 12 });
    expect(chunks).toEqual([
      { text: 'One. Two.', paragraphStart: true },
      { text: 'Three. Four.', paragraphStart: true },
      { text: 'Five.', paragraphStart: false },
      { text: 'Six.', paragraphStart: true },
    ]);
  });

  it('keeps a sentence between target and maximum whole', () => {
    const sentence = `Word ${'word '.repeat(58)}end.`; // 299 characters
    const chunks = splitText(`Hi. ${sentence} Bye.`);
    expect(texts(chunks)).toEqual(['Hi.', sentence, 'Bye.']);
  });

  it('cuts an overlong sentence at clause punctuation first', () => {
    const clause = 'and so it went on, '; // 19 characters
    const sentence = `${clause.repeat(20)}until the end.`;
    const chunks = splitText(sentence, { maxChars: 100, targetChars: 50 });
    for (const chunk of texts(chunks).slice(0, -1)) {
      expect(chunk.endsWith(',')).toBe(true);
      expect(getTextCharacterCount(chunk)).toBeLessThanOrEqual(100);
    }
    expect(texts(chunks)[0]).toBe(clause.repeat(5).trim());
    expect(texts(chunks).at(-1)!.endsWith('until the end.')).toBe(true);
  });

  it('prefers ;, :, dashes and closing quotes after a comma as clause ends', () => {
    expect(texts(splitText('aaaa bbbb; cccc dddd eeee', { maxChars: 14, targetChars: 5 }))).toEqual(['aaaa bbbb;', 'cccc dddd eeee']);
    expect(texts(splitText('aaaa bbbb—cccc dddd eeee', { maxChars: 14, targetChars: 5 }))).toEqual(['aaaa bbbb—', 'cccc dddd eeee']);
    expect(texts(splitText('“aaaa bbbb,” cccc dddd', { maxChars: 14, targetChars: 5 }))).toEqual(['“aaaa bbbb,”', 'cccc dddd']);
    expect(texts(splitText('这是第一句话，这是第二句话', { maxChars: 8, targetChars: 5 }))).toEqual(['这是第一句话，', '这是第二句话']);
  });

  it('then cuts at a word boundary, never inside a word', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
    const chunks = splitText(words.join(' '), { maxChars: 60, targetChars: 30 });
    expect(texts(chunks).join(' ')).toBe(words.join(' '));
    for (const chunk of texts(chunks)) {
      expect(getTextCharacterCount(chunk)).toBeLessThanOrEqual(60);
      for (const word of chunk.split(' ')) expect(words).toContain(word);
    }
  });

  it('cuts text without spaces at word boundaries from Intl.Segmenter', () => {
    const chunks = splitText('我们今天去公园散步然后回家吃饭', { maxChars: 8, targetChars: 4 });
    expect(texts(chunks).join('')).toBe('我们今天去公园散步然后回家吃饭');
    expect(texts(chunks)[0]).toBe('我们今天去公园'); // not '我们今天去公园散' (散步 is one word)
  });

  it('cuts a single word longer than the maximum at the maximum', () => {
    const word = 'x'.repeat(1234);
    const chunks = splitText(`Short. ${word}. Tail.`);
    expect(texts(chunks)).toEqual(['Short.', 'x'.repeat(500), 'x'.repeat(500), `${'x'.repeat(234)}.`, 'Tail.']);
  });

  it('does not cut inside a surrogate pair or, when avoidable, a grapheme cluster', () => {
    const emoji = '😀'.repeat(700);
    expect(texts(splitText(emoji)).map((t) => [...t].length)).toEqual([500, 200]);
    const families = '👨‍👩‍👧'.repeat(120); // 5 code points each
    for (const chunk of texts(splitText(families, { maxChars: 12, targetChars: 12 }))) expect(chunk).toMatch(/^(👨‍👩‍👧)+$/u);
    const zalgo = `x${'\u0301'.repeat(30)}`; // one grapheme of 31 code points (no NFC composition)
    expect(texts(splitText(zalgo, { maxChars: 10, targetChars: 10 })).map((t) => [...t].length)).toEqual([10, 10, 10, 1]);
  });

  it('normalizes the input first', () => {
    expect(splitText('\uFEFFCafe\u0301\r\nis\u0007 open.')).toEqual([{ text: 'Café is open.', paragraphStart: true }]);
  });

  it('is what splitIntoChunks does, with optional options', () => {
    const text = 'Mr. Bennet was among the earliest. He had always intended to visit him.';
    expect(splitIntoChunks(text)).toEqual(splitText(text));
    expect(splitIntoChunks(text, { targetChars: 20 })).toEqual(splitText(text, { targetChars: 20 }));
  });
});

describe('splitText: hostile inputs', () => {
  // Correctness only (no timing assertions): each of these once took quadratic
  // time or hit a slow path; the invariants must hold and the test stay fast.
  const cases: Record<string, string> = {
    'a 5,000-character word': 'x'.repeat(5000),
    '10,000 emoji': '😀'.repeat(10_000),
    'family emoji (ZWJ sequences)': '👨‍👩‍👧'.repeat(2000),
    'flags (regional indicator pairs)': '🇺🇸🇫🇷'.repeat(1000),
    '100,000 dots': '.'.repeat(100_000),
    'spaced dots': '. '.repeat(50_000),
    'ellipses': 'Wait... '.repeat(10_000),
    'Chinese without punctuation': '这是第一句话我们今天去公园'.repeat(5000),
    'Chinese sentences': '这是第一句话。我们今天去公园！'.repeat(5000),
    'Arabic': 'مرحبا بالعالم. كيف حالك؟ '.repeat(5000),
    'Hebrew without spaces': 'שלוםעולם'.repeat(10_000),
    'Thai': 'สวัสดีครับ นี่คือประโยค '.repeat(5000),
    'titles only': 'Mr. '.repeat(25_000),
    'one-line paragraphs': 'a\n\n'.repeat(50_000),
    'hard-wrapped one-letter lines': 'a\n'.repeat(50_000),
    'opening brackets': '('.repeat(100_000),
    'combining marks': `x${'\u0301'.repeat(20_000)}`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`splits ${name}`, () => {
      const chunks = splitText(text);
      const normalized = normalizeText(text);
      expect(chunks.map((c) => c.text).join('').replace(/\s+/g, '')).toBe(normalized.replace(/\s+/g, ''));
      expect(chunks.every((c) => c.text.length > 0 && getTextCharacterCount(c.text) <= DEFAULT_MAX_CHARS)).toBe(true);
    });
  }

  it('keeps grapheme clusters whole when cutting runs without spaces', () => {
    for (const maxChars of [499, 500, 7]) {
      const options = { maxChars, targetChars: Math.min(250, maxChars) };
      for (const chunk of splitText('👨‍👩‍👧'.repeat(2000), options)) expect(chunk.text).toMatch(/^(?:👨‍👩‍👧)+$/u);
      for (const chunk of splitText('🇺🇸🇫🇷'.repeat(1000), options)) expect(chunk.text).toMatch(/^(?:\p{RI}\p{RI})+$/u);
    }
  });
});

describe('splitText: tokenCount', () => {
  it('makes chunks of at most maxTokens whitespace tokens, within paragraphs', () => {
    const chunks = splitText('a b c d e f g\n\nh i j', { preference: 'tokenCount', maxTokens: 3 });
    expect(chunks).toEqual([
      { text: 'a b c', paragraphStart: true },
      { text: 'd e f', paragraphStart: false },
      { text: 'g', paragraphStart: false },
      { text: 'h i j', paragraphStart: true },
    ]);
  });

  it('defaults to 40 tokens', () => {
    const words = Array.from({ length: 100 }, () => 'word');
    expect(splitText(words.join(' '), { preference: 'tokenCount' }).map((c) => c.text.split(' ').length)).toEqual([40, 40, 20]);
  });

  it('respects the hard maximum, cutting fewer tokens or a huge token', () => {
    const chunks = splitText(`${'abcdefghi '.repeat(10)}${'z'.repeat(25)}`, { preference: 'tokenCount', maxTokens: 40, maxChars: 20, targetChars: 10 });
    expect(texts(chunks)).toEqual([
      'abcdefghi abcdefghi',
      'abcdefghi abcdefghi',
      'abcdefghi abcdefghi',
      'abcdefghi abcdefghi',
      'abcdefghi abcdefghi',
      'z'.repeat(20),
      'z'.repeat(5),
    ]);
  });
});

describe('splitText: none', () => {
  it('returns the normalized text as one chunk', () => {
    expect(splitText('One.\r\n\r\nTwo\nthree.', { preference: 'none' })).toEqual([{ text: 'One.\n\nTwo three.', paragraphStart: true }]);
  });

  it('refuses a text over the maximum with 413 naming the limit', () => {
    expect(splitText('x'.repeat(500), { preference: 'none' })).toHaveLength(1);
    const e = lectorError(() => splitText('x'.repeat(501), { preference: 'none' }));
    expect([e.code, e.status]).toEqual(['chunk_too_long', 413]);
    expect(e.message).toContain('500');
    expect(e.details).toEqual({ limit: 500, characters: 501 });
    expect(lectorError(() => splitText('😀'.repeat(11), { preference: 'none', maxChars: 10, targetChars: 10 })).message).toContain('10');
  });
});

describe('splitText: limits and errors', () => {
  it('accepts 1,000,000 characters and refuses 1,000,001 with 413', () => {
    const words = 'abcd '.repeat(MAX_JOB_CHARS / 5);
    expect(splitText(words).length).toBeGreaterThan(0);
    const e = lectorError(() => splitText(`${words}x`));
    expect([e.code, e.status]).toEqual(['text_too_long', 413]);
    expect(e.message).toContain('1,000,000');
    expect(e.message).toContain('1,000,001');
  });

  it('counts code points for the job limit', () => {
    const emoji = '😀'.repeat(MAX_JOB_CHARS); // 2,000,000 UTF-16 units
    expect(() => splitText(emoji)).not.toThrow();
    expect(lectorError(() => splitText(`${emoji}!`)).code).toBe('text_too_long');
    expect(lectorError(() => splitText('x'.repeat(2 * MAX_JOB_CHARS + 1))).message).toContain('at least');
  });

  it('refuses empty and whitespace-only text with 400', () => {
    for (const text of ['', '   ', '\n\n\t', '\u0000\uFEFF']) {
      const e = lectorError(() => splitText(text));
      expect([e.code, e.status]).toEqual(['empty_text', 400]);
    }
  });

  it('throws TypeError for nonsense options', () => {
    const bad: SplitOptions[] = [
      { maxChars: 0 },
      { maxChars: 1.5 },
      { targetChars: -1 },
      { targetChars: 600 },
      { targetChars: 100, maxChars: 50 },
      { maxTokens: 0 },
      { maxTokens: Number.NaN },
    ];
    for (const options of bad) expect(() => splitText('Hello.', options)).toThrow(TypeError);
    expect(splitText('Hello.', { maxChars: 100 })).toHaveLength(1); // target defaults to min(250, maxChars)
  });

  it('refuses an unknown preference with 400 unknown_splitting', () => {
    const e = lectorError(() => splitText('Hello.', { preference: 'paragraph' as never }));
    expect([e.code, e.status]).toEqual(['unknown_splitting', 400]);
  });
});

describe('incremental splitting', () => {
  const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}. ${'It goes on, and on. '.repeat(i % 7)}End ${i}.`).join('\n\n');

  it('splitParagraphs over consecutive ranges gives the chunks of splitText', () => {
    const paragraphs = paragraphsOf(normalizeText(text));
    for (const preference of ['sentence', 'tokenCount'] as const) {
      const options = { preference, targetChars: 60, maxChars: 80, maxTokens: 7 };
      const pieces: TextChunk[] = [];
      for (let i = 0; i < paragraphs.length; i += 3) pieces.push(...splitParagraphs(paragraphs, options, i, i + 3));
      expect(pieces).toEqual(splitText(text, options));
    }
  });

  it('iterateChunks yields the chunks of splitText lazily', () => {
    const normalized = normalizeText(text.repeat(30)); // several blocks
    const all = splitText(normalized, { targetChars: 50 });
    expect([...iterateChunks(normalized, { targetChars: 50 })]).toEqual(all);
    const iterator = iterateChunks(normalized, { targetChars: 50 });
    expect(iterator.next().value).toEqual(all[0]);
  });

  it('handles none as one chunk of the range', () => {
    expect(splitParagraphs(['a.', 'b.', 'c.'], { preference: 'none' }, 1)).toEqual([{ text: 'b.\n\nc.', paragraphStart: true }]);
    expect([...iterateChunks('a.\n\nb.', { preference: 'none' })]).toEqual([{ text: 'a.\n\nb.', paragraphStart: true }]);
  });
});
