import { describe, expect, it } from 'vitest';
import { planJobChunks } from './chunking.ts';
import { splitText } from './text/split.ts';

describe('planJobChunks', () => {
  it('keeps the first three chunks to one sentence each', () => {
    expect(planJobChunks('Hello there. This is Lector speaking. Goodbye for now.').map((c) => c.text)).toEqual([
      'Hello there.',
      'This is Lector speaking.',
      'Goodbye for now.',
    ]);
  });

  it('merges later sentences up to the target without crossing paragraphs', () => {
    const text = Array.from({ length: 20 }, (_, i) => `Sentence ${i} is short.`).join(' ') + '\n\nNew paragraph here. And more.';
    const chunks = planJobChunks(text, { targetChars: 62 });
    expect(chunks.slice(0, 3).map((c) => c.text)).toEqual(['Sentence 0 is short.', 'Sentence 1 is short.', 'Sentence 2 is short.']);
    expect(chunks[3]!.text).toBe('Sentence 3 is short. Sentence 4 is short. Sentence 5 is short.');
    expect(chunks.every((c) => c.text.length <= 62)).toBe(true);
    const para = chunks.find((c) => c.text.startsWith('New paragraph'));
    expect(para).toEqual({ text: 'New paragraph here. And more.', paragraphStart: true });
  });

  it('covers the same text as the splitter, in order', () => {
    const text = 'Mr. Smith went to Washington. He said hi!\n\nThen, at 3.14 p.m., he left. "Why?" she asked. Nobody knew.';
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    expect(norm(planJobChunks(text).map((c) => c.text).join(' '))).toBe(norm(splitText(text).map((c) => c.text).join(' ')));
  });

  it('leaves tokenCount and none to the splitter', () => {
    expect(planJobChunks('a b c d e', { preference: 'tokenCount', maxTokens: 2 })).toEqual(splitText('a b c d e', { preference: 'tokenCount', maxTokens: 2 }));
    expect(planJobChunks('One. Two.', { preference: 'none' })).toHaveLength(1);
  });
});
