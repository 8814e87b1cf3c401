// The speech planner: from plain text or SSML, a lexicon and the split
// options, the chunks a job synthesizes — what each shows (captions,
// transcript), what the engine reads when that differs, where paragraphs
// start, SSML pauses, and the speed of each chunk. Pure; the job stores the
// plans and sends `speak ?? text` and `speed` to the backend.
//
// Plain text is split exactly as `planJobChunks` splits it; the lexicon only
// changes `speak`. SSML is cut into segments at every p, s, break, prosody
// rate change and language change; each segment is split like plain text.
import { planJobChunks, DEFAULT_RAMP_CHUNKS } from './chunking.ts';
import { LectorError } from './errors.ts';
import { compileLexicon, type Lexicon, type PhonemeSupport } from './lexicon/lexicon.ts';
import { espeakPhonemeInput } from './lexicon/ipa.ts';
import { parseSsml, type SsmlItem } from './ssml/parse.ts';
import type { WordTiming } from './api/types.ts';
import { assertJobTextSize, type TextChunk } from './text/split.ts';
import type { SplitOptions } from './text/options.ts';

export interface SpeechChunkPlan {
  /** Shown: captions, transcript. */
  text: string;
  /** Sent to the engine when it differs from `text`. */
  speak?: string;
  paragraphStart: boolean;
  /** Silence before this chunk from SSML `break`s, in place of the usual sentence/paragraph pause. */
  pauseBeforeMs?: number;
  /** Speed multiplier for this chunk (job speed × prosody rate), when not 1. */
  speed?: number;
  /** Language of this chunk from `xml:lang` / `lang`, when the SSML set one. */
  lang?: string;
}

export type InputFormat = 'text' | 'ssml';
export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'ssml'];
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;

export interface SpeechPlanOptions {
  inputFormat?: InputFormat;
  /** Request-shaped entries (checked here) or a compiled lexicon. */
  lexicon?: unknown;
  splitting?: SplitOptions;
  /** Job speed, 0.25–4 (default 1). */
  speed?: number;
  /** What the voice's engine takes besides text: `espeak` phoneme input, or none. */
  phonemes?: PhonemeSupport;
  rampChunks?: number;
}

/** Checks a request's speed. Throws LectorError 400 `invalid_speed`. */
export function checkSpeed(speed: unknown): number {
  if (speed === undefined || speed === null) return 1;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new LectorError('invalid_speed', 400, `speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, got ${JSON.stringify(speed) ?? String(speed)}`, {
      details: { min: MIN_SPEED, max: MAX_SPEED },
    });
  }
  return speed;
}

/** `espeak` for eSpeak voices (`espeak:…`, `cli-espeak:…`), which read `[[phonemes]]`; none for every other voice. */
export function phonemeSupportOf(voiceId: string): PhonemeSupport {
  return /^(cli-)?espeak:/.test(voiceId) ? 'espeak' : 'none';
}

function isLexicon(v: unknown): v is Lexicon {
  return typeof v === 'object' && v !== null && typeof (v as Lexicon).apply === 'function';
}

function withSpeed(plan: SpeechChunkPlan, speed: number): SpeechChunkPlan {
  const s = Math.min(MAX_SPEED, Math.max(MIN_SPEED, Math.round(speed * 1000) / 1000));
  if (s !== 1) plan.speed = s;
  return plan;
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Plans for chunks already split from plain text (the job's page-by-page path): lexicon and speed only. */
export function planTextChunks(chunks: readonly TextChunk[], options: Omit<SpeechPlanOptions, 'inputFormat' | 'splitting' | 'rampChunks'> = {}): SpeechChunkPlan[] {
  const speed = checkSpeed(options.speed);
  const lexicon = isLexicon(options.lexicon) ? options.lexicon : compileLexicon(options.lexicon);
  const phonemes = options.phonemes ?? 'none';
  return chunks.map((c) => {
    const plan: SpeechChunkPlan = { text: c.text, paragraphStart: c.paragraphStart };
    const speak = lexicon.size > 0 ? lexicon.apply(c.text, phonemes) : c.text;
    if (speak !== c.text) plan.speak = speak;
    return withSpeed(plan, speed);
  });
}

/** The chunk plans of a whole input. Throws LectorError 400 for bad SSML, lexicon or speed. */
export function planSpeech(input: string, options: SpeechPlanOptions = {}): SpeechChunkPlan[] {
  const format = options.inputFormat ?? 'text';
  if (!INPUT_FORMATS.includes(format)) {
    throw new LectorError('validation_failed', 400, `inputFormat must be one of ${INPUT_FORMATS.join(', ')}`);
  }
  const lexicon = isLexicon(options.lexicon) ? options.lexicon : compileLexicon(options.lexicon);
  const ramp = options.rampChunks ?? DEFAULT_RAMP_CHUNKS;
  if (format === 'text') {
    return planTextChunks(planJobChunks(input, options.splitting, ramp), { ...options, lexicon });
  }
  const items = parseSsml(input);
  // The shown text is what a job's size limit is about (1,000,000 code points), markup aside.
  assertJobTextSize(items.map((i) => (i.kind === 'text' ? i.shown : '')).join(''));
  return planSsml(items, { speed: checkSpeed(options.speed), lexicon, phonemes: options.phonemes ?? 'none', splitting: options.splitting ?? {}, ramp });
}

interface Run {
  start: number;
  end: number;
  item: SsmlItem & { kind: 'text' };
}

interface SsmlContext {
  speed: number;
  lexicon: Lexicon;
  phonemes: PhonemeSupport;
  splitting: SplitOptions;
  ramp: number;
}

function planSsml(items: readonly SsmlItem[], ctx: SsmlContext): SpeechChunkPlan[] {
  const out: SpeechChunkPlan[] = [];
  let runs: Run[] = [];
  let shown = '';
  let paragraphPending = true;
  let pauseMs = 0;
  const flush = (): void => {
    if (runs.length === 0) return;
    const first = runs[0]!.item;
    const plans = planSegment(shown, runs, ctx, Math.max(0, ctx.ramp - out.length));
    plans.forEach((p, i) => {
      p.paragraphStart = i === 0 && (paragraphPending || out.length === 0);
      if (i === 0 && pauseMs > 0) p.pauseBeforeMs = pauseMs;
      withSpeed(p, ctx.speed * first.rate);
      if (first.lang !== undefined) p.lang = first.lang;
      out.push(p);
    });
    if (plans.length > 0) {
      paragraphPending = false;
      pauseMs = 0;
    }
    runs = [];
    shown = '';
  };
  for (const item of items) {
    if (item.kind === 'paragraph') {
      flush();
      paragraphPending = true;
    } else if (item.kind === 'sentence') {
      flush();
    } else if (item.kind === 'break') {
      flush();
      pauseMs += item.ms;
    } else {
      const prev = runs[runs.length - 1]?.item;
      if (prev && (prev.rate !== item.rate || prev.lang !== item.lang)) flush();
      const text = shown.endsWith(' ') && item.shown.startsWith(' ') ? item.shown.slice(1) : item.shown;
      runs.push({ start: shown.length, end: shown.length + text.length, item });
      shown += text;
    }
  }
  flush();
  if (out.length === 0) throw new LectorError('empty_text', 400, 'the SSML has no text to speak');
  return out;
}

/** Splits one segment like plain text, then builds each chunk's spoken form from the runs it covers. */
function planSegment(shown: string, runs: readonly Run[], ctx: SsmlContext, ramp: number): SpeechChunkPlan[] {
  if (shown.trim() === '') {
    // Only sub/say-as with empty content: speak the aliases.
    const speak = squash(runs.map((r) => r.item.spoken ?? '').join(' '));
    return speak === '' ? [] : [{ text: speak, paragraphStart: false }];
  }
  // SSML chunks stay within a paragraph: breaks and marks are placed per chunk.
  const chunks = planJobChunks(shown, ctx.splitting, ramp, false);
  const ranges = align(shown, chunks);
  return chunks.map((c, k) => {
    const plan: SpeechChunkPlan = { text: c.text, paragraphStart: c.paragraphStart };
    if (!ranges) return plan; // cannot happen for text cleaned like the splitter's; speak as shown
    const [a, b] = ranges[k]!;
    const parts: string[] = [];
    for (const r of runs) {
      if (r.end <= a || r.start >= b) continue;
      const special = spokenOf(r.item, ctx.phonemes);
      if (special !== undefined) {
        if (r.start >= a) parts.push(special);
        continue;
      }
      parts.push(ctx.lexicon.apply(shown.slice(Math.max(a, r.start), Math.min(b, r.end)), ctx.phonemes));
    }
    const speak = squash(parts.join(''));
    if (speak !== squash(c.text)) plan.speak = speak;
    return plan;
  });
}

/** What the engine reads for a sub / say-as / phoneme run; undefined for plain text. */
function spokenOf(item: SsmlItem & { kind: 'text' }, phonemes: PhonemeSupport): string | undefined {
  if (item.spoken !== undefined) return item.spoken;
  if (item.ipa !== undefined && phonemes === 'espeak') {
    try {
      return ` ${espeakPhonemeInput(item.ipa)} `;
    } catch {
      return undefined; // a symbol eSpeak has no mnemonic for: read the content as written
    }
  }
  return undefined;
}

/** [start, end) in `shown` of each chunk: chunks keep every non-space character of the text, in order. */
function align(shown: string, chunks: readonly TextChunk[]): Array<[number, number]> | null {
  const out: Array<[number, number]> = [];
  let p = 0;
  const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);
  for (const c of chunks) {
    while (isSpace(shown[p])) p++;
    const start = p;
    for (let i = 0; i < c.text.length; i++) {
      const ch = c.text[i]!;
      if (isSpace(ch)) continue;
      while (isSpace(shown[p])) p++;
      if (shown[p] !== ch) return null;
      p++;
    }
    out.push([start, p]);
  }
  return out;
}

/**
 * Word timings of a chunk synthesized from `speak`, pointed at `text`: each word the engine
 * reported (offsets into what it read) is found in the shown text in order; words that only
 * exist in `speak` (a respelling, an expanded date) are dropped, so captions never show them.
 */
export function wordsForShownText(text: string, words: readonly WordTiming[]): WordTiming[] {
  const out: WordTiming[] = [];
  let cursor = 0;
  for (const w of words) {
    const at = w.text === '' ? -1 : text.indexOf(w.text, cursor);
    if (at < 0) continue;
    out.push({ ...w, offset: at });
    cursor = at + w.text.length;
  }
  return out;
}
