// `lector speak <file|-> -o out.wav`: create a job from a text and write its audio.
import { SPLITTING_PREFERENCES, type CreateJobRequest, type SplittingPreference } from '../../core/api/types.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { readText } from '../input.ts';
import { followJobToFile, type JobToFileOptions } from '../job-to-file.ts';
import { audioFormatOf, documentTypeOf } from '../book.ts';
import { readFile } from 'node:fs/promises';
import { connect, FOLLOW_JOB_OPTIONS, parseCommandArgs, parseSeconds } from '../options.ts';
import { assertWritable } from '../output.ts';

export const SPEAK_HELP = `Usage: lector speak <file|-> -o <out.wav|out.mp3|out.opus> [options]

Turns a text file (or stdin with "-") into one audio file. A book (.epub, .md,
.html, .txt) becomes an audiobook with chapters, title and author: the format
comes from the output's extension. Shows progress on stderr; Ctrl-C leaves the
job running on the server and prints the \`lector resume\` command that finishes it.

Options:
  -o, --output <path>        where to write the audio ("-" for stdout)   (required)
      --chapters <list>      only these chapters of a book, e.g. 1-3 or 1,4,7-
      --split-chapters <dir> also write one file per chapter into <dir>
      --voice <id>           voice id, e.g. espeak:en-us (see \`lector voices\`)
      --splitting <mode>     sentence (default), tokenCount or none
      --max-tokens <n>       words per chunk with --splitting tokenCount
      --server <url>         Lector server (default $LECTOR_SERVER or http://127.0.0.1:8787)
      --reconnect-timeout <s>  give up after this long without the event stream (default 120)
  -q, --quiet                no progress, only messages
  -h, --help                 this help

Environment:
  LECTOR_SERVER              server URL when --server is not given
  LECTOR_API_KEY             sent as "Authorization: Bearer <key>"

Examples:
  lector speak book.epub -o book.mp3 --split-chapters chapters/
  lector speak chapter1.txt -o chapter1.wav
  pbpaste | lector speak - -o note.wav --voice flite:slt
`;

export async function speak(args: string[], signal: AbortSignal): Promise<void> {
  const parsed = parseCommandArgs(
    'speak',
    args,
    {
      ...FOLLOW_JOB_OPTIONS,
      voice: { type: 'string' },
      splitting: { type: 'string' },
      'max-tokens': { type: 'string' },
      chapters: { type: 'string' },
      'split-chapters': { type: 'string' },
    },
    SPEAK_HELP,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  const hint = 'see `lector speak --help`';
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? 'speak needs a text file, or - for stdin' : `speak takes one input, got ${positionals.length}`, hint);
  if (!values.output) throw usageError('speak needs -o <out.wav>', hint);
  const request: Omit<CreateJobRequest, 'text'> = {};
  if (values.voice !== undefined) request.voiceId = values.voice;
  if (values.splitting !== undefined) {
    if (!SPLITTING_PREFERENCES.includes(values.splitting as SplittingPreference)) {
      throw usageError(`--splitting must be one of ${SPLITTING_PREFERENCES.join(', ')}, not "${values.splitting}"`);
    }
    request.splitting = values.splitting as SplittingPreference;
  }
  if (values['max-tokens'] !== undefined) {
    const n = Number(values['max-tokens']);
    if (!Number.isInteger(n) || n <= 0) throw usageError(`--max-tokens must be a positive whole number, not "${values['max-tokens']}"`);
    request.maxTokens = n;
  }
  const reconnectWindowMs = parseSeconds(values['reconnect-timeout'], '--reconnect-timeout');
  const { client, serverFlag } = connect(values.server);
  const out = values.output;

  await assertWritable(out);
  const input = positionals[0]!;
  const format = audioFormatOf(out);
  const docType = input === '-' ? null : documentTypeOf(input);
  // A book (a document, a compressed output or chapters asked for) is uploaded whole and assembled on the server.
  const asBook = (docType !== null && docType !== 'text/plain') || format !== 'wav' || values.chapters !== undefined || values['split-chapters'] !== undefined;
  let created;
  try {
    if (asBook) {
      const bytes = docType === null || docType === 'text/plain' ? new TextEncoder().encode(await readText(input, signal)) : await readDocument(input);
      const query: Record<string, string> = { audioFormat: format };
      if (request.voiceId) query.voiceId = request.voiceId;
      if (request.splitting) query.splitting = request.splitting;
      if (values.chapters !== undefined) query.chapters = values.chapters;
      created = await client.createBook(bytes, docType ?? 'text/plain', query, signal);
    } else {
      const text = await readText(input, signal);
      created = await client.createJob({ ...request, text }, signal);
    }
  } catch (e) {
    if (signal.aborted) throw new CliError(EXIT.interrupted, 'interrupted before the server confirmed a job; nothing to resume');
    throw e;
  }
  process.stderr.write(`lector: job ${created.jobId}: ${created.totalSentences} chunk${created.totalSentences === 1 ? '' : 's'}\n`);
  let book: JobToFileOptions['book'];
  if (asBook) {
    const state = await client.jobState(created.jobId, signal);
    const title = state.metadata.title ? `"${state.metadata.title}"${state.metadata.author ? ` by ${state.metadata.author}` : ''}, ` : '';
    process.stderr.write(`lector: ${title}${state.chapters.length} chapter${state.chapters.length === 1 ? '' : 's'}, ${format}\n`);
    book = { format, chapters: state.chapters, ...(values['split-chapters'] !== undefined ? { splitDir: values['split-chapters'] } : {}) };
  }
  await followJobToFile({ client, jobId: created.jobId, out, serverFlag, signal, quiet: values.quiet === true, reconnectWindowMs, ...(book ? { book } : {}) });
}

async function readDocument(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e)}`);
  }
}
