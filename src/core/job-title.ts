// A job's title on the shelf: the title the client gave, else the first words
// of its text (what a listener recognises a text by).

const MAX_WORDS = 8;
const MAX_CHARS = 60;

export function jobTitle(text: string, given?: string | null): string {
  const explicit = given?.replace(/\s+/g, ' ').trim();
  if (explicit) return explicit.length > 200 ? `${explicit.slice(0, 199)}…` : explicit;
  // Only the first words are read: a novel's 756K characters are neither copied nor split
  // (that cost the creating request ~10 ms and ~25 ms of garbage collection).
  const words: string[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    words.push(m[0]);
    if (words.length === MAX_WORDS) break;
  }
  let title = '';
  for (const w of words) {
    const next = title ? `${title} ${w}` : w;
    if (next.length > MAX_CHARS) break;
    title = next;
  }
  if (!title) title = words[0]?.slice(0, MAX_CHARS) ?? 'Untitled';
  return title.length < trimmedLength(text) ? `${title.replace(/[,;:.!?]+$/, '')}…` : title;
}

/** `text.trim().length`, without the copy. */
function trimmedLength(text: string): number {
  const start = text.search(/\S/);
  if (start < 0) return 0;
  let end = text.length;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end - start;
}
