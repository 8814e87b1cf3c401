// Text normalization before splitting: one canonical form for every input, so
// splitting, limits and the "joined chunks equal the text" invariant all talk
// about the same string.
//
// normalizeText(text), in order:
// 1. Line breaks: CRLF, CR, VT, FF, NEL (U+0085) and LINE SEPARATOR (U+2028)
//    become "\n"; PARAGRAPH SEPARATOR (U+2029) becomes "\n\n". (Form feeds and
//    the Unicode separators are line breaks, not noise: removing them would
//    glue words together.)
// 2. Removed: the other C0/C1 control characters (tab and newline are kept),
//    the byte-order mark / zero-width no-break space U+FEFF and the soft
//    hyphen U+00AD (both invisible; the soft hyphen only makes speech engines
//    stumble inside words), and lone surrogates. Lone surrogates are REMOVED,
//    not replaced by U+FFFD: they carry no text, JSON/UTF-8 encoding would turn
//    them into U+FFFD anyway (lossy), and a speech engine would either skip
//    U+FFFD or read out "replacement character".
// 3. Lines are trimmed. A run of one or more blank (empty or whitespace-only)
//    lines separates paragraphs; paragraphs are joined with exactly "\n\n".
//    Inside a paragraph, hard-wrapped lines are joined with one space — or with
//    nothing when both sides are Chinese/Japanese characters, which are written
//    without spaces. Exception: a line starting with a list marker ("- ", "* ",
//    "• ", "1. ", "2) ", "(3) ", "a) ") starts a new paragraph, so list items keep
//    their own pause instead of running into one sentence.
// 4. Unicode NFC, last (so that the result is a fixed point: normalizing a
//    normalized text returns it unchanged).
//
// The result has no leading or trailing whitespace, no "\r", and no "\n"
// except the "\n\n" between paragraphs. Runs of spaces and tabs inside a line
// are kept as they are. Linear time; all regexes here are backtracking-free.

export const PARAGRAPH_SEPARATOR = '\n\n';

const LINE_BREAKS = /\r\n?|[\v\f\u0085\u2028]/g;
const PARAGRAPH_BREAKS = /\u2029/g;
// C0 controls but \t \n (\v \f \r are already gone), DEL and C1 controls,
// soft hyphen, BOM.
const REMOVED = /[\0-\x08\x0E-\x1F\x7F-\x9F\u00AD\uFEFF]/g;
// Surrogates that are not half of a pair; only searched for when the text has
// surrogates at all (a plain class scan is 5x cheaper than these lookarounds).
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LIST_ITEM_LINE = /^(?:[-*•‣◦]|\d{1,3}[.)]|\(\d{1,3}\)|[A-Za-z]\))\s/;
const SPACELESS_SCRIPT = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303F\uFF01-\uFF60]$/u;

function isSpacelessAt(text: string, index: number): boolean {
  const code = text.codePointAt(index);
  // Everything in SPACELESS_SCRIPT is at U+2E80 or above: skip the regex for the rest.
  return code !== undefined && code >= 0x2e80 && SPACELESS_SCRIPT.test(String.fromCodePoint(code));
}

function lastCodePointIndex(text: string): number {
  const last = text.length - 1;
  const code = text.charCodeAt(last);
  return code >= 0xdc00 && code <= 0xdfff && last > 0 ? last - 1 : last;
}

/** The canonical form of `text` that Lector splits and speaks (see the module comment). */
export function normalizeText(text: string): string {
  const withoutSurrogates = ANY_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '') : text;
  const cleaned = withoutSurrogates.replace(LINE_BREAKS, '\n').replace(PARAGRAPH_BREAKS, '\n\n').replace(REMOVED, '');
  const out: string[] = [];
  // Pieces of the current paragraph (lines and the glue between them) and its last line.
  let pieces: string[] = [];
  let lastLine = '';
  const endParagraph = (): void => {
    if (pieces.length === 0) return;
    if (out.length > 0) out.push(PARAGRAPH_SEPARATOR);
    out.push(pieces.length === 1 ? pieces[0]! : pieces.join(''));
    pieces = [];
  };
  for (const rawLine of cleaned.split('\n')) {
    const line = rawLine.trim();
    if (line === '') {
      endParagraph();
      continue;
    }
    if (pieces.length > 0) {
      if (LIST_ITEM_LINE.test(line)) endParagraph();
      else pieces.push(isSpacelessAt(lastLine, lastCodePointIndex(lastLine)) && isSpacelessAt(line, 0) ? '' : ' ');
    }
    pieces.push(line);
    lastLine = line;
  }
  endParagraph();
  return out.join('').normalize('NFC');
}

/** The paragraphs of a normalized text (no empty ones; [] for ""). */
export function paragraphsOf(normalizedText: string): string[] {
  return normalizedText === '' ? [] : normalizedText.split(PARAGRAPH_SEPARATOR);
}
