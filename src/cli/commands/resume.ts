// `lector resume <jobId> -o out.wav`: follow a job that is already on the server to its end and write its audio.
import { isJobId } from '../../core/ids.ts';
import { usageError } from '../errors.ts';
import { followJobToFile } from '../job-to-file.ts';
import { connect, FOLLOW_JOB_OPTIONS, parseCommandArgs, parseSeconds } from '../options.ts';
import { assertWritable } from '../output.ts';

export const RESUME_HELP = `Usage: lector resume <jobId> -o <out.wav> [options]

Follows a job already on the server (started by \`lector speak\`, the page or
the API) until it ends, then writes its audio. Works the same whether the job
is still running or finished long ago (until it expires).

Options:
  -o, --output <path>        where to write the WAV ("-" for stdout)   (required)
      --server <url>         Lector server (default $LECTOR_SERVER or http://127.0.0.1:8787)
      --reconnect-timeout <s>  give up after this long without the event stream (default 120)
  -q, --quiet                no progress, only messages
  -h, --help                 this help

Example:
  lector resume 3f2b9c1e-5d7a-4e0b-9c4f-2a6d8e1f0b3c -o chapter1.wav
`;

export async function resume(args: string[], signal: AbortSignal): Promise<void> {
  const parsed = parseCommandArgs('resume', args, FOLLOW_JOB_OPTIONS, RESUME_HELP);
  if (!parsed) return;
  const { values, positionals } = parsed;
  const hint = 'see `lector resume --help`';
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? 'resume needs a job id' : `resume takes one job id, got ${positionals.length}`, hint);
  const jobId = positionals[0]!.trim().toLowerCase();
  if (!isJobId(jobId)) throw usageError(`"${positionals[0]}" is not a job id (a UUID like 3f2b9c1e-5d7a-4e0b-9c4f-2a6d8e1f0b3c)`);
  if (!values.output) throw usageError('resume needs -o <out.wav>', hint);
  const reconnectWindowMs = parseSeconds(values['reconnect-timeout'], '--reconnect-timeout');
  const { client, serverFlag } = connect(values.server);

  await assertWritable(values.output);
  const state = await client.jobState(jobId, signal);
  process.stderr.write(`lector: job ${jobId}: ${state.status}, ${state.processedSentenceCount}/${state.totalSentences} chunks done\n`);
  await followJobToFile({ client, jobId, out: values.output, serverFlag, signal, quiet: values.quiet === true, reconnectWindowMs });
}
