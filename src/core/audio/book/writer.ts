// The contract of a book container writer: reserve a header slot, append
// encoded chunks (with their pauses) as pure state transitions that return
// the bytes to write, and finally produce the header for the slot. States are
// plain JSON values, so assembly can stop and resume between any two chunks.
import type { PauseOptions } from '../timeline.ts';
import type { BookAudioFormat, BookTags, ChapterTime } from './metadata.ts';
import type { Mp3BookState } from './mp3-book.ts';
import type { OpusBookState } from './opus-book.ts';
import type { PauseKind } from './timeline.ts';
import type { WavBookState } from './wav-book.ts';

export type BookWriterState = Mp3BookState | OpusBookState | WavBookState;

export interface AppendedChunk<S> {
  /** Bytes to write after everything written so far (pause + chunk). */
  bytes: Uint8Array;
  state: S;
  /** Where the chunk's sound starts and ends in the assembled file. */
  startMs: number;
  endMs: number;
}

export interface BookWriter<S extends BookWriterState> {
  readonly format: BookAudioFormat;
  /** Bytes to reserve at the front of the file for `tags` (with room to spare where the header's size depends on the audio). */
  slotBytes(tags: BookTags): number;
  /** State before the first chunk; `serial` names the Ogg stream. */
  start(tags: BookTags, slotBytes: number, serial: number): S;
  /** One chunk after its pause. `last` closes streams that need it (Ogg EOS). */
  append(state: S, chunk: Uint8Array, pause: PauseKind, last: boolean, pauses: PauseOptions): AppendedChunk<S>;
  /** Duration of what has been appended, as players will compute it. */
  durationMs(state: S): number;
  /** The header, exactly `slotBytes` long, once every chunk is in. */
  header(state: S, tags: BookTags, chapters: readonly ChapterTime[], slotBytes: number): Uint8Array;
}
