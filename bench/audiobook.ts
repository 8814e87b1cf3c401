// Issue 11's audiobook figures: the corpus novel as an EPUB (61 chapters)
// through the whole local stack, for each format in BENCH_BOOK_FORMATS (default
// "mp3"; "wav,mp3,opus" for the size comparison), read back with music-metadata
// (chapters, titles, duration) and counted: wall time, file sizes, the book and
// chapter files as R2 objects, and the assembly's cost from the job's own rows.
//
//   npm run bench -- audiobook
//   BENCH_BOOK_FORMATS=wav,mp3,opus BENCH_BOOK_CHAPTERS=1-5 npm run bench -- audiobook

import { loadavg } from 'node:os';
import { parseBuffer } from 'music-metadata';
import type { JobState } from '../src/core/api/types.ts';
import { prideAndPrejudiceEpub } from '../test/fixtures/books/index.ts';
import type { BenchRow } from './compare/report.ts';
import { benchWorkers, startBenchStack } from './compare/setup.ts';
import { duration, fixed } from './compare/stats.ts';

const MIME = { mp3: 'audio/mpeg', opus: 'audio/ogg', wav: 'audio/wav' } as const;

async function waitForBook(edge: string, jobId: string, timeoutMs: number): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await (await fetch(`${edge}/api/tts/${jobId}`)).json()) as JobState;
    if (s.status === 'failed') throw new Error(`job failed: ${s.errorMessage}`);
    if (s.book?.status === 'done') return s;
    if (Date.now() > deadline) throw new Error(`book not done in ${timeoutMs / 1000} s: ${s.processedSentenceCount}/${s.totalSentences}, book ${s.book?.status}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function benchAudiobook(): Promise<{ rows: BenchRow[] }> {
  const formats = (process.env.BENCH_BOOK_FORMATS ?? 'mp3').split(',').map((f) => f.trim()) as (keyof typeof MIME)[];
  const chapters = process.env.BENCH_BOOK_CHAPTERS ?? '';
  const epub = prideAndPrejudiceEpub();
  const load0 = loadavg()[0]!;
  const { stack } = await startBenchStack(benchWorkers());
  const rows: BenchRow[] = [{ figure: 'input', value: `Pride and Prejudice as EPUB 3, ${epub.length.toLocaleString('en')} bytes${chapters ? `, chapters ${chapters}` : ', all chapters'}` }];
  try {
    for (const format of formats) {
      const t0 = performance.now();
      const q = new URLSearchParams({ audioFormat: format, ...(chapters ? { chapters } : {}) });
      const res = await fetch(`${stack.edgeUrl}/api/tts?${q}`, { method: 'POST', headers: { 'content-type': 'application/epub+zip' }, body: epub });
      if (res.status !== 202) throw new Error(`create: ${res.status} ${await res.text()}`);
      const { jobId } = (await res.json()) as { jobId: string };
      const s = await waitForBook(stack.edgeUrl, jobId, 3 * 60 * 60_000);
      const wallMs = performance.now() - t0;
      const book = new Uint8Array(await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/audio`)).arrayBuffer());
      const meta = await parseBuffer(book, { mimeType: MIME[format] }, { includeChapters: true, duration: true });
      const titles = meta.format.chapters?.map((c) => c.title) ?? [];
      const titlesMatch = titles.length === s.chapters.length && titles.every((t, i) => t === s.chapters[i]!.title);
      let chapterFiles = 0;
      for (const c of s.chapters) if ((await fetch(`${stack.edgeUrl}/api/tts/${jobId}/chapters/${c.index}/audio`, { method: 'HEAD' })).ok) chapterFiles++;
      const stats = (await (await fetch(`${stack.edgeUrl}/api/tts/${jobId}/stats`)).json()) as { alarms: number; rowsWritten: number };
      rows.push(
        { figure: `${format}: job wall time (POST → book assembled)`, value: duration(wallMs) },
        { figure: `${format}: chunks / chapters in the job`, value: `${s.totalSentences} / ${s.chapters.length}` },
        { figure: `${format}: book file`, value: `${fixed(book.length / 2 ** 20, 1)} MiB, ${fixed((s.book?.durationMs ?? 0) / 3_600_000, 2)} h` },
        { figure: `${format}: music-metadata chapters (titles as in the job)`, value: `${titles.length} (${titlesMatch ? 'yes' : 'NO'})` },
        { figure: `${format}: music-metadata duration − job's book duration`, value: `${fixed((meta.format.duration ?? 0) * 1000 - (s.book?.durationMs ?? 0), 0)} ms` },
        { figure: `${format}: chapter files in R2`, value: `${chapterFiles} of ${s.chapters.length}` },
        { figure: `${format}: alarms / rows written (this object instance)`, value: `${stats.alarms} / ${stats.rowsWritten}` },
      );
    }
    rows.push({ figure: 'load average (1 min) before / after', value: `${fixed(load0, 2)} / ${fixed(loadavg()[0]!, 2)}` });
    return { rows };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('./compare/report.ts');
  printRows((await benchAudiobook()).rows);
}
