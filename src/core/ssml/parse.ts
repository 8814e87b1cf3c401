// The SSML subset Lector reads, parsed with saxes (a strict, pure-JS XML
// parser that reports line and column, so it runs in a Worker) into a flat
// list of runs and boundaries for the speech planner.
//
// Supported: speak, p, s, break (time, strength), emphasis, sub (alias),
// say-as (characters, cardinal, ordinal, date, telephone), phoneme (IPA),
// prosody (rate), lang and xml:lang. Any other element is read as its text
// content. A DOCTYPE is refused (no entity expansion), and so is anything
// that is not well-formed XML: LectorError 400 `invalid_ssml` with the line
// and column.
import { SaxesParser } from 'saxes';
import { LectorError } from '../errors.ts';
import { sayAs } from './say-as.ts';

export type SsmlItem =
  /** Text shown as `shown`; read as `spoken` (sub, say-as) or as `ipa` where the engine takes phonemes. */
  | { kind: 'text'; shown: string; spoken?: string; ipa?: string; rate: number; lang?: string }
  | { kind: 'break'; ms: number }
  | { kind: 'sentence' }
  | { kind: 'paragraph' };

/** Largest SSML document accepted, in UTF-16 code units (markup included). */
export const MAX_SSML_CHARS = 1_200_000;
export const MAX_BREAK_MS = 10_000;
const MAX_DEPTH = 64;

export const BREAK_STRENGTH_MS: Readonly<Record<string, number>> = { none: 0, 'x-weak': 100, weak: 250, medium: 500, strong: 1000, 'x-strong': 2000 };
export const RATE_KEYWORDS: Readonly<Record<string, number>> = { 'x-slow': 0.5, slow: 0.75, medium: 1, default: 1, fast: 1.5, 'x-fast': 2 };

// Characters normalizeText removes: C0/C1 controls but tab/newline, soft hyphen, BOM.
const REMOVED = /[\0-\x08\x0E-\x1F\x7F-\x9F\u00AD\uFEFF]/g;

/** Text content as the planner sees it: whitespace runs become one space. */
export function cleanText(text: string): string {
  return text.replace(REMOVED, '').replace(/\s+/g, ' ').normalize('NFC');
}

interface Frame {
  name: string;
  rate: number;
  lang?: string;
  /** Text collected by sub / say-as / phoneme, which speak as one unit. */
  capture?: { parts: string[]; attrs: Record<string, string> };
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return (i < 0 ? name : name.slice(i + 1)).toLowerCase();
}

/** Parses an SSML document. Throws LectorError 400 `invalid_ssml` naming line and column. */
export function parseSsml(xml: string): SsmlItem[] {
  if (xml.length > MAX_SSML_CHARS) {
    throw new LectorError('invalid_ssml', 400, `SSML is ${xml.length} characters long; at most ${MAX_SSML_CHARS} are accepted`);
  }
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const fail = (message: string): never => {
    throw new LectorError('invalid_ssml', 400, `invalid SSML at line ${parser.line}, column ${parser.column}: ${message}`, {
      details: { line: parser.line, column: parser.column },
    });
  };
  const items: SsmlItem[] = [];
  const stack: Frame[] = [];
  let sawRoot = false;
  const top = (): Frame | undefined => stack[stack.length - 1];
  const capturing = (): Frame | undefined => stack.find((f) => f.capture);

  parser.on('error', (e) => fail(e.message.replace(/^\d+:\d+: /, '')));
  parser.on('doctype', () => fail('a DOCTYPE is not allowed in SSML'));
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k.toLowerCase()] = String(v);
    if (!sawRoot) {
      sawRoot = true;
      if (name !== 'speak') fail(`the root element must be <speak>, not <${tag.name}>`);
    }
    if (stack.length >= MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
    const parent = top();
    const frame: Frame = { name, rate: parent?.rate ?? 1 };
    const lang = attrs['xml:lang'] ?? (name === 'lang' ? attrs.lang : undefined) ?? parent?.lang;
    if (lang !== undefined) frame.lang = lang;
    const inCapture = capturing() !== undefined;
    switch (name) {
      case 'p':
      case 's':
        if (!inCapture) items.push(name === 'p' ? { kind: 'paragraph' } : { kind: 'sentence' });
        break;
      case 'break':
        if (!inCapture) items.push({ kind: 'break', ms: breakMs(attrs, fail) });
        break;
      case 'prosody':
        if (attrs.rate !== undefined) frame.rate = clampRate(frame.rate * parseRate(attrs.rate, fail));
        break;
      case 'sub':
      case 'say-as':
      case 'phoneme':
        if (!inCapture) frame.capture = { parts: [], attrs };
        break;
      default:
        break; // speak, emphasis, lang, voice, audio, mark and unknown elements: their text content
    }
    stack.push(frame);
  });
  parser.on('closetag', () => {
    const frame = stack.pop();
    if (!frame) return;
    if (frame.name === 'p' || frame.name === 's') {
      if (!capturing()) items.push(frame.name === 'p' ? { kind: 'paragraph' } : { kind: 'sentence' });
      return;
    }
    if (!frame.capture) return;
    const shown = cleanText(frame.capture.parts.join(''));
    const a = frame.capture.attrs;
    const item: SsmlItem & { kind: 'text' } = { kind: 'text', shown, rate: frame.rate };
    if (frame.lang !== undefined) item.lang = frame.lang;
    if (frame.name === 'sub') {
      if (a.alias === undefined) fail('<sub> needs an alias attribute');
      item.spoken = cleanText(a.alias!).trim();
      if (shown.trim() === '') item.shown = item.spoken;
    } else if (frame.name === 'say-as') {
      if (a['interpret-as'] === undefined) fail('<say-as> needs an interpret-as attribute');
      item.spoken = sayAs(a['interpret-as']!, shown, a.format);
    } else {
      const alphabet = (a.alphabet ?? 'ipa').toLowerCase();
      if (a.ph === undefined) fail('<phoneme> needs a ph attribute');
      if (alphabet === 'ipa') item.ipa = a.ph!;
    }
    if (item.shown.trim() !== '' || (item.spoken ?? '').trim() !== '') items.push(item);
  });
  const onText = (text: string): void => {
    const capture = capturing()?.capture;
    if (capture) {
      capture.parts.push(text);
      return;
    }
    const frame = top();
    if (!frame) return; // whitespace outside the root; anything else saxes reports
    const shown = cleanText(text);
    if (shown === '') return;
    const item: SsmlItem = { kind: 'text', shown, rate: frame.rate };
    if (frame.lang !== undefined) item.lang = frame.lang;
    items.push(item);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.write(xml).close();
  if (!sawRoot) fail('no <speak> element');
  return items;
}

function breakMs(attrs: Record<string, string>, fail: (m: string) => never): number {
  if (attrs.time !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/i.exec(attrs.time);
    if (!m) return fail(`break time "${attrs.time}" is not a duration like "500ms" or "2s"`);
    const ms = Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 's' ? 1000 : 1));
    if (ms > MAX_BREAK_MS) return fail(`break time "${attrs.time}" is longer than ${MAX_BREAK_MS / 1000}s`);
    return ms;
  }
  const strength = attrs.strength ?? 'medium';
  const ms = BREAK_STRENGTH_MS[strength.toLowerCase()];
  if (ms === undefined) return fail(`break strength "${strength}" is not one of ${Object.keys(BREAK_STRENGTH_MS).join(', ')}`);
  return ms;
}

/** A prosody rate as a multiplier: keyword, "150%", "+20%", "-10%" or a plain number. */
function parseRate(value: string, fail: (m: string) => never): number {
  const v = value.trim().toLowerCase();
  const keyword = RATE_KEYWORDS[v];
  if (keyword !== undefined) return keyword;
  const pct = /^([+-]?)(\d+(?:\.\d+)?)%$/.exec(v);
  if (pct) {
    const n = Number(pct[2]) / 100;
    const rate = pct[1] === '+' ? 1 + n : pct[1] === '-' ? 1 - n : n;
    if (rate > 0) return rate;
  } else if (/^\d+(?:\.\d+)?$/.test(v) && Number(v) > 0) {
    return Number(v);
  }
  return fail(`prosody rate "${value}" is not a keyword, a percentage or a positive number`);
}

function clampRate(rate: number): number {
  return Math.min(4, Math.max(0.25, Math.round(rate * 1000) / 1000));
}
