// The book writer for each audio format, behind a guard that a state is only
// ever handed back to the writer of its own format.
import { AudioContainerError } from '../bytes.ts';
import type { BookAudioFormat } from './metadata.ts';
import { mp3BookWriter } from './mp3-book.ts';
import { opusBookWriter } from './opus-book.ts';
import { wavBookWriter } from './wav-book.ts';
import type { BookWriter, BookWriterState } from './writer.ts';

function guarded<S extends BookWriterState>(w: BookWriter<S>): BookWriter<BookWriterState> {
  const own = (s: BookWriterState): S => {
    if (s.format !== w.format) throw new AudioContainerError(`a ${s.format} state given to the ${w.format} writer`);
    return s as S;
  };
  return {
    format: w.format,
    slotBytes: (tags) => w.slotBytes(tags),
    start: (tags, slot, serial) => w.start(tags, slot, serial),
    append: (s, chunk, pause, last, pauses) => w.append(own(s), chunk, pause, last, pauses),
    durationMs: (s) => w.durationMs(own(s)),
    header: (s, tags, chapters, slot) => w.header(own(s), tags, chapters, slot),
  };
}

const WRITERS: Record<BookAudioFormat, BookWriter<BookWriterState>> = {
  mp3: guarded(mp3BookWriter),
  opus: guarded(opusBookWriter),
  wav: guarded(wavBookWriter),
};

export function bookWriter(format: BookAudioFormat): BookWriter<BookWriterState> {
  return WRITERS[format];
}
