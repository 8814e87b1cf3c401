// What every command shares: argument parsing with --server and --help, the
// server and API key (flags, then environment, then defaults), argument-error
// wording, and shell quoting for the commands the CLI prints back to the user.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { DEFAULT_SERVER, LectorClient, parseServerUrl } from './client.ts';
import { usageError, type CliError } from './errors.ts';

export interface Environment {
  LECTOR_SERVER?: string;
  LECTOR_API_KEY?: string;
}

export interface ServerChoice {
  client: LectorClient;
  /** Set when `--server` was given, so printed commands can repeat it. */
  serverFlag: string | undefined;
}

export function connect(serverFlag: string | undefined, env: Environment = process.env): ServerChoice {
  const serverUrl = parseServerUrl(serverFlag ?? (env.LECTOR_SERVER || DEFAULT_SERVER));
  return { client: new LectorClient({ serverUrl, apiKey: env.LECTOR_API_KEY }), serverFlag };
}

/** The options every command takes beside its own. */
const COMMON_OPTIONS = {
  server: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options of the commands that follow a job to a file (speak, resume). */
export const FOLLOW_JOB_OPTIONS = {
  output: { type: 'string', short: 'o' },
  'reconnect-timeout': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

type CommandArgs<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & typeof COMMON_OPTIONS }>>;

/**
 * Parses a command's arguments strictly, with `--server` and `-h, --help` beside
 * its own options. With --help it prints `help` and returns undefined: the
 * command has nothing more to do.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(command: string, args: string[], options: O, help: string): CommandArgs<O> | undefined {
  let parsed: CommandArgs<O>;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { ...options, ...COMMON_OPTIONS } });
  } catch (e) {
    throw argsError(e, command);
  }
  // The values' type stays unresolved while O is generic; `help` is always among them.
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return undefined;
  }
  return parsed;
}

/** Turns a node:util parseArgs error into a usage error pointing at the command's help. */
function argsError(e: unknown, command: string): CliError {
  const message = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e);
  return usageError(message, `see \`lector ${command} --help\``);
}

/** Parses a positive number of seconds into milliseconds. */
export function parseSeconds(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`${flag} must be a positive number of seconds, not "${raw}"`);
  return n * 1000;
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The exact command that continues a job. */
export function resumeCommand(jobId: string, out: string, serverFlag: string | undefined): string {
  const parts = ['lector', 'resume', jobId, '-o', shellQuote(out)];
  if (serverFlag !== undefined) parts.push('--server', shellQuote(serverFlag));
  return parts.join(' ');
}
