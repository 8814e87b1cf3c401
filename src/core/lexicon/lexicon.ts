// A job's pronunciation lexicon: `[{ match, say }]` entries checked once,
// compiled into one matcher, and applied to the text sent to the engine
// (never to the text shown in captions and the transcript).
//
// Matching is whole-word: a match may not touch a letter, digit or `_` on
// either side (so "Darcy" matches in "Darcy's" but not in "Darcyville"). Case: a `match` written all in
// lower case matches any case ("darcy" matches "Darcy" and "DARCY"); any
// upper-case letter in `match` makes it exact ("Darcy" matches only "Darcy").
// Longer matches win over shorter ones that start at the same place.
//
// `say` is a respelling ("Her-my-oh-nee"), or IPA between slashes
// ("/hɜːˈmaɪəni/"). IPA reaches engines that take phonemes (eSpeak, as its
// `[[...]]` mnemonics); for other engines an IPA-only entry leaves the word as
// written.
import { LectorError } from '../errors.ts';
import { espeakPhonemeInput, IpaError } from './ipa.ts';

export interface LexiconEntry {
  /** The word or phrase as it appears in the text. */
  match: string;
  /** A respelling, or IPA between slashes. */
  say: string;
}

/** What the target engine can take besides plain text. */
export type PhonemeSupport = 'espeak' | 'none';

export const MAX_LEXICON_ENTRIES = 1000;
export const MAX_MATCH_CHARS = 100;
export const MAX_SAY_CHARS = 200;

interface CompiledEntry {
  match: string;
  exact: boolean;
  /** Respelling, or undefined for an IPA-only entry. */
  respelling?: string;
  /** eSpeak phoneme input (`[[...]]`) for IPA entries. */
  espeak?: string;
}

export interface Lexicon {
  readonly size: number;
  /** `text` with every matching word replaced by what the engine should read. */
  apply(text: string, phonemes: PhonemeSupport): string;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const IPA_FORM = /^\/(.+)\/$/s;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function invalid(index: number, message: string): LectorError {
  return new LectorError('invalid_lexicon', 400, `lexicon[${index}]: ${message}`, { details: { index } });
}

/**
 * Checks and compiles a lexicon from a request body. Throws LectorError 400
 * `lexicon_too_large` (too many entries) or `invalid_lexicon` (naming the entry).
 */
export function compileLexicon(input: unknown): Lexicon {
  if (input === undefined || input === null) return EMPTY;
  if (!Array.isArray(input)) throw new LectorError('invalid_lexicon', 400, 'lexicon must be an array of { match, say } objects');
  if (input.length > MAX_LEXICON_ENTRIES) {
    throw new LectorError('lexicon_too_large', 400, `lexicon has ${input.length} entries; at most ${MAX_LEXICON_ENTRIES} are allowed`, {
      details: { entries: input.length, max: MAX_LEXICON_ENTRIES },
    });
  }
  const byKey = new Map<string, CompiledEntry>();
  input.forEach((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(index, 'must be an object { match, say }');
    const { match, say, ...rest } = raw as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw invalid(index, `unknown field "${extra}"`);
    if (typeof match !== 'string' || typeof say !== 'string') throw invalid(index, 'match and say must be strings');
    const m = match.normalize('NFC');
    if (m.trim() === '' || say.trim() === '') throw invalid(index, 'match and say must not be empty');
    if (m !== m.trim()) throw invalid(index, 'match must not start or end with whitespace');
    if ([...m].length > MAX_MATCH_CHARS) throw invalid(index, `match is longer than ${MAX_MATCH_CHARS} characters`);
    if ([...say].length > MAX_SAY_CHARS) throw invalid(index, `say is longer than ${MAX_SAY_CHARS} characters`);
    if (!WORD_CHAR.test(m)) throw invalid(index, 'match must contain a letter or digit');
    if (/[\[\]<>&]/.test(say)) throw invalid(index, 'say may not contain [ ] < > &');
    const exact = m !== m.toLowerCase();
    const key = exact ? m : `\u0000${m}`;
    if (byKey.has(key)) throw invalid(index, `duplicate match "${m}"`);
    const entry: CompiledEntry = { match: m, exact };
    const ipa = IPA_FORM.exec(say.trim());
    if (ipa) {
      try {
        entry.espeak = espeakPhonemeInput(ipa[1]!);
      } catch (e) {
        if (e instanceof IpaError) throw invalid(index, e.message);
        throw e;
      }
    } else {
      entry.respelling = say.trim().replace(/\s+/g, ' ');
    }
    byKey.set(key, entry);
  });
  return build([...byKey.values()]);
}

const EMPTY: Lexicon = { size: 0, apply: (text) => text };

function build(entries: CompiledEntry[]): Lexicon {
  if (entries.length === 0) return EMPTY;
  const exact = new Map<string, CompiledEntry>();
  const folded = new Map<string, CompiledEntry>();
  for (const e of entries) (e.exact ? exact : folded).set(e.exact ? e.match : e.match.toLowerCase(), e);
  const alternatives = [...new Set(entries.map((e) => e.match))].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // One case-insensitive scan; each hit is then checked against the entry's own case rule.
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}\\p{M}_])`, 'giu');
  return {
    size: entries.length,
    apply(text: string, phonemes: PhonemeSupport): string {
      if (text === '') return text;
      return text.replace(pattern, (hit) => {
        const entry = exact.get(hit) ?? folded.get(hit.toLowerCase());
        if (!entry) return hit;
        if (phonemes === 'espeak' && entry.espeak) return entry.espeak;
        return entry.respelling ?? hit;
      });
    },
  };
}
