// Character classes shared by the splitters, as cheap code-unit tests.

/** Exactly JavaScript's `\s` (so it agrees with String.prototype.trim and split(/\s+/)). */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** `text[start, end)` without leading and trailing whitespace, as offsets. */
export function trimRange(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return { start, end };
}
