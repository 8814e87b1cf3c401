// The chunks a job is synthesized in: the splitter's sentences, merged up to
// the target size, except that the first few chunks stay one sentence each
// ("ramp-up") so the first audio is ready in the time of one short sentence.
import type { TextChunk } from './text/split.ts';
import { splitText } from './text/split.ts';
import { getTextCharacterCount } from './text/count.ts';
import { resolveSplitOptions, type SplitOptions } from './text/options.ts';

/** Leading chunks kept to a single sentence. */
export const DEFAULT_RAMP_CHUNKS = 3;

export function planJobChunks(text: string, options: SplitOptions = {}, rampChunks = DEFAULT_RAMP_CHUNKS): TextChunk[] {
  const resolved = resolveSplitOptions(options);
  if (resolved.preference !== 'sentence' || rampChunks <= 0) return splitText(text, options);
  // Sentences (overlong ones already cut below maxChars), then our own merge with the ramp.
  const sentences = splitText(text, { ...options, targetChars: 1 });
  const out: TextChunk[] = [];
  let open: { text: string; chars: number; paragraphStart: boolean } | undefined;
  const flush = (): void => {
    if (open) out.push({ text: open.text, paragraphStart: open.paragraphStart });
    open = undefined;
  };
  for (const s of sentences) {
    const chars = getTextCharacterCount(s.text);
    // `open` will be chunk number out.length: the ramp keeps it a single sentence.
    const ramping = out.length < rampChunks;
    if (open && !ramping && !s.paragraphStart && open.chars + 1 + chars <= resolved.targetChars) {
      open.text += ` ${s.text}`;
      open.chars += 1 + chars;
      continue;
    }
    flush();
    open = { text: s.text, chars, paragraphStart: s.paragraphStart };
  }
  flush();
  return out;
}
