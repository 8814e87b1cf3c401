// `chapters=1,3-5`: which chapters of a book a job reads. Chapter numbers are
// 1-based, the same numbers as a job's `chapters[].index` and the book's table
// of contents ("chapter 1" is the first chapter).

import { documentError } from './errors.ts';

const PART = /^(\d{1,6})(?:\s*-\s*(\d{1,6})?)?$/;

/**
 * The chapter numbers (1-based, ascending, without repeats) that `spec` names,
 * out of `count` chapters. Accepts "3", "1,3-5", "7-" (7 to the end) and "all".
 * Throws `invalid_chapter_selection` for anything else or a number out of range.
 */
export function selectChapters(spec: string, count: number): number[] {
  const trimmed = spec.trim();
  if (trimmed.toLowerCase() === 'all') return Array.from({ length: count }, (_, i) => i + 1);
  const chosen = new Set<number>();
  for (const rawPart of trimmed.split(',')) {
    const part = rawPart.trim();
    const match = PART.exec(part);
    if (!match) throw invalid(spec, `"${part}" is not a chapter number or range`);
    const first = Number(match[1]);
    const last = match[2] !== undefined ? Number(match[2]) : part.includes('-') ? count : first;
    if (first < 1 || last > count || first > count) throw invalid(spec, `the book has chapters 1-${count}`);
    if (first > last) throw invalid(spec, `range "${part}" runs backwards`);
    for (let n = first; n <= last; n++) chosen.add(n);
  }
  return [...chosen].sort((a, b) => a - b);
}

function invalid(spec: string, why: string) {
  return documentError('invalid_chapter_selection', `chapters="${spec}": ${why}`, { spec });
}
