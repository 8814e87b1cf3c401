// Chapter-heading lines in plain text: "Chapter 1", "CHAPTER XII.", "Part Two",
// "BOOK I", "Volume III: The Return". A heading is a paragraph of its own
// (a second short line may carry its title). Regular expressions are fine
// here: plain text has no markup, only lines.

export type HeadingKeyword = 'chapter' | 'part' | 'book' | 'volume';

export interface HeadingLine {
  keyword: HeadingKeyword;
  /** The heading as a title: its lines joined, without a trailing period. */
  title: string;
}

const NUMBER_WORDS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty' +
  '|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last';
const HEADING = new RegExp(
  `^(chapter|part|book|volume)\\s+(?:the\\s+)?(\\d{1,4}|[ivxlcdm]{1,8}|${NUMBER_WORDS})\\b\\.?(?:\\s*[:.—–-]\\s*\\S.{0,59})?$`,
  'i',
);
const SUBTITLE_MAX = 60;

/** The heading a paragraph (its trimmed lines) is, or null. */
export function headingOf(lines: readonly string[]): HeadingLine | null {
  if (lines.length === 0 || lines.length > 2) return null;
  const match = HEADING.exec(lines[0]!);
  if (!match) return null;
  const subtitle = lines[1];
  if (subtitle !== undefined && (subtitle.length > SUBTITLE_MAX || /[.!?]["”’]?$/.test(subtitle))) return null;
  const title = (subtitle === undefined ? lines[0]! : `${lines[0]!.replace(/\.$/, '')}: ${subtitle}`).replace(/\.$/, '');
  return { keyword: match[1]!.toLowerCase() as HeadingKeyword, title };
}

const CONTENTS = /^(?:table of )?contents[.:]?$/i;

/** "CONTENTS", "Table of Contents": the heading of a contents list. */
export function isContentsHeading(lines: readonly string[]): boolean {
  return lines.length === 1 && CONTENTS.test(lines[0]!);
}
