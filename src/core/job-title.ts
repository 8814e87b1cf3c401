// A job's title on the shelf: the title the client gave, else the first words
// of its text (what a listener recognises a text by).

const MAX_WORDS = 8;
const MAX_CHARS = 60;

export function jobTitle(text: string, given?: string | null): string {
  const explicit = given?.replace(/\s+/g, ' ').trim();
  if (explicit) return explicit.length > 200 ? `${explicit.slice(0, 199)}…` : explicit;
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  let title = '';
  for (const w of words.slice(0, MAX_WORDS)) {
    const next = title ? `${title} ${w}` : w;
    if (next.length > MAX_CHARS) break;
    title = next;
  }
  if (!title) title = words[0]?.slice(0, MAX_CHARS) ?? 'Untitled';
  return title.length < text.trim().length ? `${title.replace(/[,;:.!?]+$/, '')}…` : title;
}
