// `say-as` of the SSML subset: what the engine reads for characters, cardinal,
// ordinal, date and telephone. Output is plain English text that every engine
// here reads correctly (digits are left to the engine's own number reading).
// Unknown `interpret-as` values read the content as it is.

const ORDINAL_SUFFIX = (n: bigint): string => {
  const mod100 = n % 100n;
  if (mod100 >= 11n && mod100 <= 13n) return 'th';
  return ['th', 'st', 'nd', 'rd'][Number(n % 10n)] ?? 'th';
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Letters and digits one by one: "NASA" → "N A S A". */
function characters(text: string): string {
  return [...text].filter((c) => /\S/u.test(c)).join(' ');
}

/** "1,234,567" → "1234567": the engine reads plain digits as a number. */
function cardinal(text: string): string {
  const t = text.trim();
  return /^[-+]?[\d,. \u00a0]+$/.test(t) ? t.replace(/[, \u00a0](?=\d{3}\b)/g, '') : t;
}

/** "3" → "3rd", which engines read as "third". */
function ordinal(text: string): string {
  const t = text.trim().replace(/[,\u00a0 ]/g, '');
  if (!/^\d{1,15}$/.test(t)) return text.trim();
  return `${t}${ORDINAL_SUFFIX(BigInt(t))}`;
}

/**
 * A date in `format` (mdy, dmy, ymd, md, dm, ym, my, y, d, m; default ymd for
 * "2024-03-05"-style input, else mdy): "March 5th, 2024".
 */
function date(text: string, format: string | undefined): string {
  const parts = text.trim().split(/[-/.\s]+/).filter(Boolean);
  const fmt = (format ?? (/^\d{4}-/.test(text.trim()) ? 'ymd' : 'mdy')).toLowerCase();
  if (!/^[dmy]{1,3}$/.test(fmt) || parts.length !== fmt.length || !parts.every((p) => /^\d{1,4}$/.test(p))) return text.trim();
  const get = (k: string): number | undefined => {
    const i = fmt.indexOf(k);
    return i < 0 ? undefined : Number(parts[i]);
  };
  const [y, m, d] = [get('y'), get('m'), get('d')];
  if (m !== undefined && (m < 1 || m > 12)) return text.trim();
  if (d !== undefined && (d < 1 || d > 31)) return text.trim();
  const month = m === undefined ? undefined : MONTHS[m - 1];
  const day = d === undefined ? undefined : `${d}${ORDINAL_SUFFIX(BigInt(d))}`;
  if (month && day && y !== undefined) return `${month} ${day}, ${y}`;
  if (month && day) return `${month} ${day}`;
  if (month && y !== undefined) return `${month} ${y}`;
  return [month, day, y].filter((v) => v !== undefined).join(' ');
}

/** Digits one by one, groups separated by a pause: "555-0123" → "5 5 5, 0 1 2 3". */
function telephone(text: string): string {
  const groups = text.trim().split(/[^\d+]+/).filter(Boolean);
  return groups.map((g) => [...g].map((c) => (c === '+' ? 'plus' : c)).join(' ')).join(', ');
}

/** The text an engine reads for `<say-as interpret-as="kind">content</say-as>`. */
export function sayAs(kind: string, content: string, format?: string): string {
  switch (kind.toLowerCase()) {
    case 'characters':
    case 'spell-out':
    case 'verbatim':
      return characters(content);
    case 'cardinal':
    case 'number':
      return cardinal(content);
    case 'ordinal':
      return ordinal(content);
    case 'date':
      return date(content, format);
    case 'telephone':
      return telephone(content);
    default:
      return content;
  }
}
