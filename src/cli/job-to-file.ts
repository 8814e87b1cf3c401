// Shared by `speak` and `resume`: follow a job's events with a progress bar
// until it ends, then stream its audio to the output file. On Ctrl-C it says
// how to continue; the job itself keeps running on the server.
import type { LectorClient } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import { followJobEvents } from './events.ts';
import { resumeCommand } from './options.ts';
import { STDOUT_PATH, saveJobAudio } from './output.ts';
import { ProgressReporter, formatAudioMinutes } from './progress.ts';
import type { JobAudioFormat, JobChapter } from '../core/api/types.ts';
import { ChapterProgress, saveChapters, waitForBook } from './book.ts';

export interface JobToFileOptions {
  client: LectorClient;
  jobId: string;
  /** Output path, or `-` for stdout. */
  out: string;
  /** `--server` as given, repeated in the printed resume command. */
  serverFlag: string | undefined;
  signal: AbortSignal;
  /** No progress bar or lines, only messages. */
  quiet: boolean;
  /** See FollowOptions.reconnectWindowMs. */
  reconnectWindowMs?: number;
  stderr?: NodeJS.WriteStream;
  /** A book job: its assembled file (in `format`) is written, and each chapter's too when `splitDir` is set. */
  book?: { format: JobAudioFormat; chapters: JobChapter[]; splitDir?: string };
}

export async function followJobToFile(o: JobToFileOptions): Promise<void> {
  const stderr = o.stderr ?? process.stderr;
  const reporter = new ProgressReporter({ stream: stderr, tty: stderr.isTTY === true && !process.env.CI, quiet: o.quiet });
  const resume = resumeCommand(o.jobId, o.out, o.serverFlag);
  let audioMs = 0;
  let chunks = 0;
  const chapters = o.book ? new ChapterProgress(o.book.chapters) : undefined;
  try {
    reporter.start();
    for await (const ev of followJobEvents(o.client, o.jobId, { signal: o.signal, reconnectWindowMs: o.reconnectWindowMs })) {
      switch (ev.type) {
        case 'job':
          reporter.setTotal(ev.data.total);
          break;
        case 'chunk':
          chunks++;
          audioMs += ev.data.durationMs ?? 0;
          reporter.addChunk(ev.data.index, ev.data.durationMs);
          for (const c of chapters?.chunkDone(ev.data.index) ?? []) {
            const n = o.book!.chapters.indexOf(c) + 1;
            reporter.message(`chapter ${n}/${o.book!.chapters.length} done: ${c.title}`);
          }
          break;
        case 'progress':
          reporter.setCompleted(ev.data.completed, ev.data.failed);
          break;
        case 'reconnecting':
          if (ev.attempt === 1 || ev.attempt % 5 === 0) {
            reporter.message(`${ev.reason}; reconnecting (attempt ${ev.attempt}, next in ${(ev.delayMs / 1000).toFixed(1)} s)`);
          }
          break;
        case 'reconnected':
          reporter.message(`reconnected after ${ev.attempt} attempt${ev.attempt === 1 ? '' : 's'}; continuing after chunk ${chunks - 1}`);
          break;
        case 'end':
          break;
      }
    }
    reporter.stop();
    stderr.write(`lector: job complete: ${chunks} chunks, ${formatAudioMinutes(audioMs)} of speech; writing ${o.out === STDOUT_PATH ? 'stdout' : o.out}\n`);
    const state = o.book ? await waitForBook(o.client, o.jobId, o.signal) : undefined;
    const bytes = await saveJobAudio(o.client, o.jobId, o.out, { signal: o.signal, ...(o.book ? { format: o.book.format } : {}) });
    if (o.out !== STDOUT_PATH) stderr.write(`lector: wrote ${o.out} (${(bytes / 1_000_000).toFixed(1)} MB)\n`);
    if (state && o.book?.splitDir) {
      const paths = await saveChapters(o.client, state, o.book.splitDir, o.signal);
      stderr.write(`lector: wrote ${paths.length} chapter files into ${o.book.splitDir}\n`);
    }
  } catch (e) {
    reporter.stop(false);
    if (o.signal.aborted) {
      throw new CliError(EXIT.interrupted, `interrupted; job ${o.jobId} keeps running on the server`, {
        hint: `to continue and write the file: ${resume}`,
      });
    }
    if (e instanceof CliError && (e.exitCode === EXIT.unreachable || e.status === 503)) {
      throw new CliError(e.exitCode, e.message, { code: e.code, status: e.status, hint: `the job is safe on the server; continue with: ${resume}`, cause: e });
    }
    throw e;
  }
}
