// IPA → eSpeak NG phoneme mnemonics, so a lexicon entry or an SSML `phoneme`
// written in IPA can reach eSpeak, which reads its own mnemonics between
// `[[` and `]]` (Kirshenbaum-like ASCII, see eSpeak's docs/phonemes.md).
// eSpeak has no IPA input and no kept library converts in this direction, so
// this is a table: the English phoneme set plus common European symbols.
// Symbols it does not know are refused, never guessed.

/** Multi-character IPA sequences first (longest match wins). */
const SEQUENCES: ReadonlyArray<readonly [string, string]> = [
  ['t͡ʃ', 'tS'], ['d͡ʒ', 'dZ'], ['tʃ', 'tS'], ['dʒ', 'dZ'], ['ʧ', 'tS'], ['ʤ', 'dZ'],
  ['eɪ', 'eI'], ['aɪ', 'aI'], ['ɔɪ', 'OI'], ['oʊ', 'oU'], ['əʊ', '@U'], ['aʊ', 'aU'],
  ['ɪə', 'i@'], ['eə', 'e@'], ['ɛə', 'e@'], ['ʊə', 'U@'],
  ['iː', 'i:'], ['uː', 'u:'], ['ɑː', 'A:'], ['ɔː', 'O:'], ['ɜː', '3:'], ['ɝ', '3:'],
];

const SINGLE: Readonly<Record<string, string>> = {
  // vowels
  a: 'a', æ: 'a', ɐ: 'a#', ɑ: 'A', ɒ: '0', ʌ: 'V', ə: '@', ɚ: '3', ɜ: '3', ɛ: 'E', e: 'e', ɪ: 'I', ᵻ: 'I#', i: 'i',
  ʊ: 'U', u: 'u', ɔ: 'O', o: 'o', y: 'y', ø: 'Y', œ: 'W', ɨ: 'i"', ʉ: 'u"',
  // consonants
  p: 'p', b: 'b', t: 't', d: 'd', k: 'k', g: 'g', ɡ: 'g', f: 'f', v: 'v', θ: 'T', ð: 'D', s: 's', z: 'z', ʃ: 'S', ʒ: 'Z',
  h: 'h', x: 'x', ç: 'C', m: 'm', n: 'n', ŋ: 'N', ɲ: 'n^', l: 'l', ɫ: 'l', ʎ: 'l^', r: 'r', ɹ: 'r', ɾ: '*', ʁ: 'r',
  w: 'w', j: 'j', ʔ: '?', β: 'B', ɣ: 'Q',
  // suprasegmentals
  ˈ: "'", ˌ: ',', ː: ':', ' ': ' ',
};

/** Marks that carry nothing eSpeak needs: syllable dots, ties, syllabic and non-syllabic diacritics, slashes, brackets. */
const DROPPED = new Set(['.', '\u0361', '\u035c', '\u0329', '\u032f', '\u02d1', '/', '[', ']']);

export class IpaError extends Error {
  readonly symbol: string;
  constructor(symbol: string) {
    super(`IPA symbol "${symbol}" (U+${symbol.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) has no eSpeak equivalent here`);
    this.name = 'IpaError';
    this.symbol = symbol;
  }
}

/** `həˈloʊ` → `h@'loU`. Throws IpaError naming the first symbol it cannot map. */
export function ipaToEspeak(ipa: string): string {
  const src = ipa.normalize('NFC').replace(/\s+/g, ' ').trim();
  let out = '';
  let i = 0;
  outer: while (i < src.length) {
    for (const [seq, mnemonic] of SEQUENCES) {
      if (src.startsWith(seq.normalize('NFC'), i)) {
        out += mnemonic;
        i += seq.normalize('NFC').length;
        continue outer;
      }
    }
    const ch = String.fromCodePoint(src.codePointAt(i)!);
    i += ch.length;
    if (DROPPED.has(ch)) continue;
    const mapped = SINGLE[ch];
    if (mapped === undefined) throw new IpaError(ch);
    out += mapped;
  }
  return out;
}

/** eSpeak's phoneme-input form of an IPA string: `[[h@'loU]]`. */
export function espeakPhonemeInput(ipa: string): string {
  return `[[${ipaToEspeak(ipa)}]]`;
}
