// What an audiobook file says about itself, independent of container: tags,
// chapter titles and times, the audio formats a book can be assembled in.
import type { CoverPicture } from '../id3v2/frames.ts';

export type BookAudioFormat = 'wav' | 'mp3' | 'opus';
export const BOOK_AUDIO_FORMATS: readonly BookAudioFormat[] = ['wav', 'mp3', 'opus'];

export const BOOK_MIME_TYPES: Record<BookAudioFormat, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', opus: 'audio/ogg; codecs=opus' };
export const BOOK_EXTENSIONS: Record<BookAudioFormat, string> = { wav: 'wav', mp3: 'mp3', opus: 'opus' };

export interface BookTags {
  /** Book title (or, in a chapter's own file, the chapter title). */
  title?: string;
  /** Author. */
  artist?: string;
  /** Album (in a chapter's own file, the book title). */
  album?: string;
  /** Front cover; WAV files carry none. */
  cover?: CoverPicture;
  /** Chapter titles in play order; their times are known only when the audio is. */
  chapterTitles?: readonly string[];
}

export interface ChapterTime {
  title: string;
  startMs: number;
  endMs: number;
}

/** Chapter times for sizing a header: values do not change a header's size, only the count does. */
export function placeholderChapters(tags: BookTags): ChapterTime[] {
  return (tags.chapterTitles ?? []).map((title) => ({ title, startMs: 0, endMs: 0 }));
}
