// Character counting for every text limit in Lector. The unit is the Unicode
// code point (what `[...text].length` counts): stable across runtimes and ICU
// versions, cheap to count, and never more than the UTF-16 length. A lone
// surrogate counts as one code point, as it does for `[...text]`.

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Whether `text[start, end)` holds no surrogate, so that code points are UTF-16 units and
 * counting is arithmetic. The regex scans natively: splitting a page counts every sentence,
 * and at a job's creation that code often runs before the JIT has optimized it.
 */
function isBmpOnly(text: string, start: number, end: number): boolean {
  return !SURROGATE.test(start === 0 && end === text.length ? text : text.slice(start, end));
}

/** Number of code points in `text[start, end)` (UTF-16 offsets). */
export function codePointLength(text: string, start = 0, end = text.length): number {
  let count = end - start;
  if (count <= 0 || isBmpOnly(text, start, end)) return count;
  for (let i = start; i < end - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      count--;
      i++;
    }
  }
  return count;
}

/**
 * The character count Lector uses for all limits (job size, chunk size,
 * timeouts): Unicode code points. Equal to `[...text].length`, without the array.
 */
export function getTextCharacterCount(text: string): number {
  return codePointLength(text);
}

/**
 * UTF-16 offset reached by advancing `count` code points from `start`, capped
 * at `end`. Never lands between the halves of a surrogate pair.
 */
export function advanceCodePoints(text: string, start: number, count: number, end = text.length): number {
  if (start >= end || count <= 0) return start;
  const reach = Math.min(start + count, end);
  if (isBmpOnly(text, start, reach)) return reach;
  let i = start;
  for (let n = 0; n < count && i < end; n++) {
    i += isHighSurrogate(text.charCodeAt(i)) && i + 1 < end && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}
