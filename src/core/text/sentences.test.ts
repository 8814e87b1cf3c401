import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.ts';
import { sentenceRanges } from './sentences.ts';

function sentences(text: string): string[] {
  const normalized = normalizeText(text);
  return sentenceRanges(normalized).map((r) => normalized.slice(r.start, r.end));
}

describe('sentenceRanges: corrections to Intl.Segmenter', () => {
  it('keeps titles with the name that follows', () => {
    expect(sentences('Mr. Bennet and Mrs. Bennet met Dr. Jones. They talked.')).toEqual([
      'Mr. Bennet and Mrs. Bennet met Dr. Jones.',
      'They talked.',
    ]);
    expect(sentences('St. Paul visited Prof. Xavier. Then he left.')).toEqual(['St. Paul visited Prof. Xavier.', 'Then he left.']);
    expect(sentences('MR. DARCY ARRIVED. HE BOWED.')).toEqual(['MR. DARCY ARRIVED.', 'HE BOWED.']);
    expect(sentences('“Mr. Bingley is come.” She smiled.')).toEqual(['“Mr. Bingley is come.”', 'She smiled.']);
  });

  it('keeps e.g., i.e., vs. and etc. inside their sentence', () => {
    expect(sentences('Bring fruit, e.g. Apples. Or (i.e. Pears) too. Use etc. and more.')).toEqual([
      'Bring fruit, e.g. Apples.',
      'Or (i.e. Pears) too.',
      'Use etc. and more.',
    ]);
    expect(sentences('Smith vs. Jones was decided. The court agreed.')).toEqual(['Smith vs. Jones was decided.', 'The court agreed.']);
  });

  it('keeps a.m. inside a sentence, and lets it end one before a capital', () => {
    expect(sentences('We met at 9 a.m. on Monday. It rained.')).toEqual(['We met at 9 a.m. on Monday.', 'It rained.']);
    expect(sentences('We met at 9 a.m. The rain had stopped.')).toEqual(['We met at 9 a.m.', 'The rain had stopped.']);
  });

  it('keeps initials with the name, but not the pronoun I', () => {
    expect(sentences('J. R. R. Tolkien wrote it. He was English.')).toEqual(['J. R. R. Tolkien wrote it.', 'He was English.']);
    expect(sentences('The U.S. Army arrived. They stayed.')).toEqual(['The U.S. Army arrived.', 'They stayed.']);
    expect(sentences('So did I. Then we left.')).toEqual(['So did I.', 'Then we left.']);
  });

  it('keeps "No." and "pp." with a following number only', () => {
    expect(sentences('See No. 5 and pp. 12 for details. No. I refuse.')).toEqual(['See No. 5 and pp. 12 for details.', 'No.', 'I refuse.']);
  });

  it('does not split decimals or money', () => {
    expect(sentences('Pi is 3.14 exactly. It costs $4.99 today. Then €1,234.56 more. And .5 less.')).toEqual([
      'Pi is 3.14 exactly.',
      'It costs $4.99 today.',
      'Then €1,234.56 more.',
      'And .5 less.',
    ]);
  });

  it('does not split URLs or e-mail addresses', () => {
    expect(sentences('See https://example.com/a.b?c=D&e=F.G for details. Then go.')).toEqual([
      'See https://example.com/a.b?c=D&e=F.G for details.',
      'Then go.',
    ]);
    expect(sentences('Mail John.Doe@Example.com today. Then wait.')).toEqual(['Mail John.Doe@Example.com today.', 'Then wait.']);
    expect(sentences('Visit www.Example.Org/Index.Html! It works.')).toEqual(['Visit www.Example.Org/Index.Html!', 'It works.']);
  });

  it('handles ellipses: no split before a lowercase word, no punctuation-only sentence', () => {
    expect(sentences('Wait... what happened? Nothing... Then silence.')).toEqual(['Wait... what happened?', 'Nothing...', 'Then silence.']);
    expect(sentences('Wait… what? He paused . . . Then spoke.')).toEqual(['Wait… what?', 'He paused . . .', 'Then spoke.']);
    expect(sentences('Hello. ... . Bye.')).toEqual(['Hello. ... .', 'Bye.']);
    expect(sentences('...... many dots....... Next')).toEqual(['...... many dots.......', 'Next']);
  });

  it('keeps closing quotes and brackets with the sentence they close', () => {
    expect(sentences('He said “Stop.” Then he left.')).toEqual(['He said “Stop.”', 'Then he left.']);
    expect(sentences('He said "Stop." Then he left.')).toEqual(['He said "Stop."', 'Then he left.']);
    expect(sentences('(This is it.) Next one. [Really?] Yes.')).toEqual(['(This is it.)', 'Next one.', '[Really?]', 'Yes.']);
    expect(sentences('It ended.[1] Next one.')).toEqual(['It ended.[1] Next one.']);
  });

  it('does not split dialogue tags after "!" or "?"', () => {
    expect(sentences('“Stop!” he cried. “Why?” she asked.')).toEqual(['“Stop!” he cried.', '“Why?” she asked.']);
    expect(sentences("'Oh!' said she. Really?")).toEqual(["'Oh!' said she.", 'Really?']);
  });

  it('keeps numbered list markers with their item', () => {
    expect(sentences('1. First item. 2. Second item.')).toEqual(['1. First item.', '2. Second item.']);
    expect(sentences('A) Apples are red. B) Pears are green.')).toEqual(['A) Apples are red.', 'B) Pears are green.']);
    expect(sentences('I. Intro. II. Body. III. End.')).toEqual(['I. Intro.', 'II. Body.', 'III. End.']);
    // One item per line: each line is its own paragraph (normalize.ts).
    expect(sentences('a) apples are red.\nb) pears are green.')).toEqual(['a) apples are red.', 'b) pears are green.']);
    // Known limit: inline lowercase markers look like the sentence going on.
    expect(sentences('a) apples are red. b) pears are green.')).toEqual(['a) apples are red. b) pears are green.']);
  });

  it('does not split inside a token', () => {
    expect(sentences('Hello!World. Yes?No.')).toEqual(['Hello!World.', 'Yes?No.']);
  });

  it('splits scripts without spaces and right-to-left scripts', () => {
    expect(sentences('这是第一句。这是第二句！第三句？')).toEqual(['这是第一句。', '这是第二句！', '第三句？']);
    expect(sentences('「はい。」そうです。')).toEqual(['「はい。」', 'そうです。']);
    expect(sentences('مرحبا بالعالم. كيف حالك؟ أنا بخير.')).toEqual(['مرحبا بالعالم.', 'كيف حالك؟', 'أنا بخير.']);
    expect(sentences('שלום עולם. מה שלומך?')).toEqual(['שלום עולם.', 'מה שלומך?']);
  });

  it('never crosses a paragraph and flags paragraph starts', () => {
    const normalized = normalizeText('One. Two\n\nThree without end\n\nFour.');
    const ranges = sentenceRanges(normalized);
    expect(ranges.map((r) => [normalized.slice(r.start, r.end), r.paragraphStart])).toEqual([
      ['One.', true],
      ['Two', false],
      ['Three without end', true],
      ['Four.', true],
    ]);
  });
});
