// The speech planner: plain text splits as before, the lexicon changes only
// `speak` of exactly the chunks with the word, SSML breaks, paragraphs,
// prosody, sub/say-as/phoneme, and the 400s for bad input.
import { describe, expect, it } from 'vitest';
import { planJobChunks } from './chunking.ts';
import { isLectorError } from './errors.ts';
import { checkSpeed, phonemeSupportOf, planSpeech, planTextChunks, wordsForShownText } from './speech-plan.ts';

const NOVEL = [
  'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.',
  'Mr. Darcy looked at her. She did not look back.',
  '',
  'Elizabeth walked on. Darcy followed her at a distance, and said nothing at all for a long while.',
  'The weather was fine. The roads were dry.',
].join('\n');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isLectorError(e)) return `${e.status} ${e.code}`;
    throw e;
  }
  return undefined;
}

describe('planSpeech, plain text', () => {
  it('splits exactly like planJobChunks when there is no lexicon', () => {
    const plans = planSpeech(NOVEL);
    expect(plans).toEqual(planJobChunks(NOVEL).map((c) => ({ text: c.text, paragraphStart: c.paragraphStart })));
  });

  it('a lexicon entry changes `speak` of exactly the chunks containing the word, never `text`', () => {
    const plain = planSpeech(NOVEL);
    const plans = planSpeech(NOVEL, { lexicon: [{ match: 'Darcy', say: 'Dar-see' }] });
    expect(plans.map((p) => p.text)).toEqual(plain.map((p) => p.text));
    const changed = plans.map((p, i) => (p.speak !== undefined ? i : -1)).filter((i) => i >= 0);
    const containing = plain.map((p, i) => (/\bDarcy\b/.test(p.text) ? i : -1)).filter((i) => i >= 0);
    expect(changed).toEqual(containing);
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const i of changed) {
      expect(plans[i]!.speak).toBe(plain[i]!.text.replaceAll('Darcy', 'Dar-see'));
    }
  });

  it('matches whole words; lower-case entries ignore case, others are exact', () => {
    const text = 'Darcy and DARCY met Darcyville. darcy! Bingley, bingley and BINGLEY.';
    const [plan] = planSpeech(text, { lexicon: [{ match: 'Darcy', say: 'D1' }, { match: 'bingley', say: 'B2' }], splitting: { preference: 'none' } });
    expect(plan!.speak).toBe('D1 and DARCY met Darcyville. darcy! B2, B2 and B2.');
    expect(plan!.text).toBe(text);
  });

  it('prefers the longest match and takes multi-word matches', () => {
    const [plan] = planSpeech('Mr Darcy spoke to Darcy.', { lexicon: [{ match: 'Darcy', say: 'X' }, { match: 'Mr Darcy', say: 'Mister Y' }], splitting: { preference: 'none' } });
    expect(plan!.speak).toBe('Mister Y spoke to X.');
  });

  it('sends IPA to eSpeak as phoneme input and leaves the word to other engines', () => {
    const lexicon = [{ match: 'Hermione', say: '/hɜːˈmaɪəni/' }];
    const [espeak] = planSpeech('Hermione smiled.', { lexicon, phonemes: 'espeak' });
    expect(espeak!.speak).toBe("[[h3:'maI@ni]] smiled.");
    const [other] = planSpeech('Hermione smiled.', { lexicon, phonemes: 'none' });
    expect(other!.speak).toBeUndefined();
    expect(phonemeSupportOf('espeak:en-us')).toBe('espeak');
    expect(phonemeSupportOf('flite:slt')).toBe('none');
  });

  it('carries the job speed on every chunk, and none at 1.0', () => {
    expect(planSpeech(NOVEL, { speed: 2 }).every((p) => p.speed === 2)).toBe(true);
    expect(planSpeech(NOVEL, { speed: 1 }).every((p) => p.speed === undefined)).toBe(true);
  });

  it('planTextChunks gives the same plans for chunks split page by page', () => {
    const lexicon = [{ match: 'Darcy', say: 'Dar-see' }];
    expect(planTextChunks(planJobChunks(NOVEL), { lexicon })).toEqual(planSpeech(NOVEL, { lexicon }));
  });
});

describe('planSpeech, SSML', () => {
  const ssml = (body: string): string => `<speak xmlns="http://www.w3.org/2001/10/synthesis">${body}</speak>`;

  it('break time="2s" ends the chunk and puts 2000 ms before the next one', () => {
    const plans = planSpeech(ssml('Hello there, <break time="2s"/> said the voice. It was late.'), { inputFormat: 'ssml' });
    expect(plans[0]).toEqual({ text: 'Hello there,', paragraphStart: true });
    expect(plans[1]).toMatchObject({ text: 'said the voice.', pauseBeforeMs: 2000, paragraphStart: false });
    expect(plans.slice(1).map((p) => p.text).join(' ')).toBe('said the voice. It was late.');
  });

  it('break strengths and sums of breaks', () => {
    const plans = planSpeech(ssml('A.<break strength="strong"/><break time="250ms"/>B.<break/>C.<break strength="none"/>D.'), { inputFormat: 'ssml' });
    expect(plans.map((p) => [p.text, p.pauseBeforeMs])).toEqual([['A.', undefined], ['B.', 1250], ['C.', 500], ['D.', undefined]]);
  });

  it('p starts paragraphs, s ends chunks, whitespace is collapsed', () => {
    const plans = planSpeech(ssml('<p><s>One   two.</s>\n  <s>Three</s></p><p>Four.</p>'), { inputFormat: 'ssml' });
    expect(plans).toEqual([
      { text: 'One two.', paragraphStart: true },
      { text: 'Three', paragraphStart: false },
      { text: 'Four.', paragraphStart: true },
    ]);
  });

  it('sub and say-as change speak only; emphasis and unknown tags are read as text', () => {
    const [plan] = planSpeech(
      ssml('The <sub alias="World Wide Web">WWW</sub> has <say-as interpret-as="characters">NASA</say-as> on <say-as interpret-as="date" format="mdy">3/5/2024</say-as>, <emphasis>really</emphasis> <foo>truly</foo>, the <say-as interpret-as="ordinal">2</say-as> time; call <say-as interpret-as="telephone">555-0123</say-as> about <say-as interpret-as="cardinal">12,345</say-as> cats.'),
      { inputFormat: 'ssml', splitting: { preference: 'none' } },
    );
    expect(plan!.text).toBe('The WWW has NASA on 3/5/2024, really truly, the 2 time; call 555-0123 about 12,345 cats.');
    expect(plan!.speak).toBe('The World Wide Web has N A S A on March 5th, 2024, really truly, the 2nd time; call 5 5 5, 0 1 2 3 about 12345 cats.');
  });

  it('phoneme: eSpeak reads the IPA, other engines the content', () => {
    const doc = ssml('Say <phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> now.');
    expect(planSpeech(doc, { inputFormat: 'ssml', phonemes: 'espeak' })[0]).toEqual({ text: 'Say tomato now.', speak: "Say [[t@'mA:toU]] now.", paragraphStart: true });
    expect(planSpeech(doc, { inputFormat: 'ssml' })[0]).toEqual({ text: 'Say tomato now.', paragraphStart: true });
  });

  it('prosody rate sets chunk speed, multiplied by the job speed and nested rates', () => {
    const plans = planSpeech(ssml('Normal. <prosody rate="slow">Slow. <prosody rate="200%">Back.</prosody></prosody> <prosody rate="+50%">Quick.</prosody>'), { inputFormat: 'ssml', speed: 2 });
    expect(plans.map((p) => [p.text, p.speed])).toEqual([['Normal.', 2], ['Slow.', 1.5], ['Back.', 3], ['Quick.', 3]]);
  });

  it('lang sets the chunk language and ends the chunk', () => {
    const plans = planSpeech(ssml('Hello. <lang xml:lang="fr-FR">Bonjour.</lang> <s xml:lang="de">Guten Tag.</s>'), { inputFormat: 'ssml' });
    expect(plans.map((p) => [p.text, p.lang])).toEqual([['Hello.', undefined], ['Bonjour.', 'fr-FR'], ['Guten Tag.', 'de']]);
  });

  it('applies the lexicon to SSML text, not inside sub', () => {
    const plans = planSpeech(ssml('Darcy met <sub alias="Darcy senior">his father</sub>.'), { inputFormat: 'ssml', lexicon: [{ match: 'Darcy', say: 'Dar-see' }] });
    expect(plans[0]).toEqual({ text: 'Darcy met his father.', speak: 'Dar-see met Darcy senior.', paragraphStart: true });
  });

  it('splits long SSML paragraphs like plain text', () => {
    const body = NOVEL.split('\n').filter(Boolean).join(' ');
    const plans = planSpeech(ssml(body.replaceAll('&', '&amp;')), { inputFormat: 'ssml' });
    expect(plans.map((p) => p.text)).toEqual(planJobChunks(body).map((c) => c.text));
  });
});

describe('wordsForShownText', () => {
  it('points the engine’s words at the shown text and drops respelled ones', () => {
    const text = 'Darcy met Darcy.';
    const speak = 'Dar-see met Dar-see.';
    const words = [
      { text: 'Dar-see', offset: 0, startMs: 0, endMs: 300 },
      { text: 'met', offset: 8, startMs: 300, endMs: 500 },
      { text: 'Dar-see', offset: 12, startMs: 500, endMs: 800 },
    ];
    expect(speak.slice(8, 11)).toBe('met');
    expect(wordsForShownText(text, words)).toEqual([{ text: 'met', offset: 6, startMs: 300, endMs: 500 }]);
  });
});

describe('bad input', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['unclosed tag', () => planSpeech('<speak>\n  <p>Hello\n</speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['not XML', () => planSpeech('Hello <b', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['root is not speak', () => planSpeech('<p>Hi</p>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['doctype', () => planSpeech('<!DOCTYPE speak [<!ENTITY x "y">]><speak>&x;</speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['undefined entity', () => planSpeech('<speak>&nope;</speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['bad break time', () => planSpeech('<speak>a<break time="soon"/>b</speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['break over 10 s', () => planSpeech('<speak>a<break time="11s"/>b</speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['bad prosody rate', () => planSpeech('<speak><prosody rate="zoom">a</prosody></speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['sub without alias', () => planSpeech('<speak><sub>a</sub></speak>', { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['SSML text over a job’s 1,000,000 characters', () => planSpeech(`<speak>${'ab '.repeat(340_000)}</speak>`, { inputFormat: 'ssml' }), '413 text_too_long'],
    ['SSML over its size limit', () => planSpeech(`<speak>${' '.repeat(1_200_001)}</speak>`, { inputFormat: 'ssml' }), '400 invalid_ssml'],
    ['empty SSML', () => planSpeech('<speak> <break time="1s"/> </speak>', { inputFormat: 'ssml' }), '400 empty_text'],
    ['speed too high', () => planSpeech('Hi.', { speed: 4.5 }), '400 invalid_speed'],
    ['speed too low', () => checkSpeed(0.1), '400 invalid_speed'],
    ['speed not a number', () => checkSpeed('fast'), '400 invalid_speed'],
    ['lexicon not an array', () => planSpeech('Hi.', { lexicon: { match: 'a', say: 'b' } }), '400 invalid_lexicon'],
    ['lexicon too large', () => planSpeech('Hi.', { lexicon: Array.from({ length: 1001 }, (_, i) => ({ match: `w${i}`, say: 'x' })) }), '400 lexicon_too_large'],
    ['empty match', () => planSpeech('Hi.', { lexicon: [{ match: '', say: 'x' }] }), '400 invalid_lexicon'],
    ['empty say', () => planSpeech('Hi.', { lexicon: [{ match: 'Hi', say: '  ' }] }), '400 invalid_lexicon'],
    ['match too long', () => planSpeech('Hi.', { lexicon: [{ match: 'a'.repeat(101), say: 'x' }] }), '400 invalid_lexicon'],
    ['duplicate match', () => planSpeech('Hi.', { lexicon: [{ match: 'hi', say: 'x' }, { match: 'hi', say: 'y' }] }), '400 invalid_lexicon'],
    ['unknown IPA symbol', () => planSpeech('Hi.', { lexicon: [{ match: 'Hi', say: '/h☃/' }] }), '400 invalid_lexicon'],
    ['unknown field', () => planSpeech('Hi.', { lexicon: [{ match: 'Hi', say: 'x', ipa: 'y' }] }), '400 invalid_lexicon'],
    ['markup in say', () => planSpeech('Hi.', { lexicon: [{ match: 'Hi', say: '[[x]]' }] }), '400 invalid_lexicon'],
  ];
  it.each(cases)('%s', (_name, fn, expected) => {
    expect(codeOf(fn)).toBe(expected);
  });

  it('names line and column of malformed SSML', () => {
    try {
      planSpeech('<speak>\n  <p>Hello</s>\n</speak>', { inputFormat: 'ssml' });
      expect.unreachable();
    } catch (e) {
      expect(isLectorError(e) && e.message).toMatch(/line 2, column \d+/);
      expect(isLectorError(e) && e.details).toMatchObject({ line: 2 });
    }
  });
});
