// Cuts a job's raw text into pages at paragraph boundaries, so a Durable Object
// can normalize and split a long text a few pages per invocation and stay inside
// its CPU budget. Chunks never cross a paragraph, so paging changes nothing at
// page edges; inside a page the splitter may cut an overlong sentence a little
// differently than in the whole text (its internal blocks align differently),
// which keeps every invariant: same text, same order, no chunk over the limit.

export interface TextPage {
  text: string;
  /** The page starts inside a paragraph (only when a paragraph was too long to keep whole). */
  continuesParagraph: boolean;
}

/** Page size aimed at: splitting ~16K characters costs a few milliseconds. */
export const PAGE_TARGET_CHARS = 16_384;
/** A paragraph longer than this is cut at a line or sentence end. */
export const PAGE_MAX_CHARS = 65_536;
/**
 * The first page of a job is split by the creating request itself, before its first chunk
 * can go out: a small one keeps that request's CPU and the time to first audio low (issue 12).
 */
export const FIRST_PAGE_CHARS = 2_048;
/**
 * Characters of pages one invocation splits (the creating request after its first page, then
 * each alarm): four target pages, a few milliseconds of CPU once warm. Fewer pages per
 * invocation meant one alarm round trip (~13 ms locally) per page before a long job's total is
 * known and its stream opens (issue 12: time to first audio).
 */
export const SPLIT_BUDGET_CHARS = 4 * PAGE_TARGET_CHARS;

const BLANK_LINE = /\n[ \t\r\f\v]*\n/g;
const WS_THEN_EOL_BEFORE = /\n[ \t\r\f\v]*$/;
const WS_THEN_EOL_AFTER = /^[ \t\r\f\v]*\n/;

export function paginate(text: string, target = PAGE_TARGET_CHARS, max = PAGE_MAX_CHARS, firstTarget = target): TextPage[] {
  if (text.length <= firstTarget) return [{ text, continuesParagraph: false }];
  const pages: TextPage[] = [];
  let start = 0;
  let continues = false;
  while (start < text.length) {
    const aim = pages.length === 0 ? firstTarget : target;
    const limit = pages.length === 0 ? Math.min(max, Math.max(aim * 4, aim + 1)) : max;
    if (text.length - start <= aim) {
      pages.push({ text: text.slice(start), continuesParagraph: continues });
      break;
    }
    // The first blank line after the target, within the maximum.
    BLANK_LINE.lastIndex = start + aim;
    const m = BLANK_LINE.exec(text);
    if (m && m.index < start + limit) {
      pages.push({ text: text.slice(start, m.index), continuesParagraph: continues });
      start = m.index + m[0].length;
      continues = false;
      continue;
    }
    // One very long paragraph: cut at the last line or sentence end before the maximum.
    const window = text.slice(start, start + limit);
    let cut = window.lastIndexOf('\n');
    if (cut < aim / 2) cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('。'));
    if (cut < aim / 2) cut = window.lastIndexOf(' ');
    if (cut < aim / 2) cut = window.length - 1;
    // Never cut between the halves of a surrogate pair.
    const code = text.charCodeAt(start + cut);
    if (code >= 0xd800 && code <= 0xdbff) cut++;
    pages.push({ text: text.slice(start, start + cut + 1), continuesParagraph: continues });
    // The last line end may be part of a blank line before the target: then the next page starts a paragraph.
    const end = start + cut;
    const atBlankLine = text[end] === '\n' && (WS_THEN_EOL_BEFORE.test(text.slice(Math.max(start, end - 64), end)) || WS_THEN_EOL_AFTER.test(text.slice(end + 1, end + 65)));
    start += cut + 1;
    continues = !atBlankLine;
  }
  return pages.filter((p) => p.text.length > 0);
}
