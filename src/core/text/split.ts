// Text splitting for synthesis (seed 001's preferences). PLACEHOLDER for the
// walking skeleton: sentence boundaries straight from Intl.Segmenter.

export interface TextChunk {
  text: string;
  /** True for the first chunk of a paragraph: players pause longer before it. */
  paragraphStart: boolean;
}

export function splitIntoChunks(text: string): TextChunk[] {
  const seg = new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: TextChunk[] = [];
  for (const s of seg.segment(text)) {
    const t = s.segment.trim();
    if (t) out.push({ text: t, paragraphStart: out.length === 0 });
  }
  return out;
}
