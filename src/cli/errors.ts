// Exit codes of the `lector` command and the error value that carries one.
// Every failure the CLI reports is a CliError; main.ts prints it and exits.

/** Process exit codes, documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** Anything unexpected (a bug). */
  failure: 1,
  /** Bad arguments, unreadable or empty input. */
  usage: 2,
  /** The server could not be reached, or the event stream could not be re-established in time. */
  unreachable: 3,
  /** The server refused a request (4xx/5xx with `{ error: { code, message } }`). */
  rejected: 4,
  /** The job failed or was cancelled on the server. */
  jobFailed: 5,
  /** The output file could not be written. */
  output: 6,
  /** Interrupted with Ctrl-C; the job keeps running on the server. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliErrorOptions {
  /** The server's error code, when the server reported one. */
  code?: string;
  /** The HTTP status of a refused request. */
  status?: number;
  /** One more line for the user: what to do next. */
  hint?: string;
  cause?: unknown;
}

export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code?: string;
  readonly status?: number;
  readonly hint?: string;

  constructor(exitCode: ExitCode, message: string, opts: CliErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = opts.code;
    this.status = opts.status;
    this.hint = opts.hint;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(EXIT.usage, message, { hint });
}

/** The most useful one-line description of a network failure (`ECONNREFUSED`, `terminated`...). */
export function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message;
  return e.message;
}
