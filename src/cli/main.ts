#!/usr/bin/env node
// The `lector` command: dispatches to speak, resume and voices, prints errors
// on stderr as `lector: error: ...` and exits with the codes in errors.ts.
// Stdout carries only data (tables, JSON, help, or a WAV with `-o -`).
import { readFileSync } from 'node:fs';
import { RESUME_HELP, resume } from './commands/resume.ts';
import { SPEAK_HELP, speak } from './commands/speak.ts';
import { VOICES_HELP, voices } from './commands/voices.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { trapInterrupt } from './interrupt.ts';

const HELP = `Usage: lector <command> [options]

Long-form text to speech with a Lector server.

Commands:
  speak <file|-> -o <out.wav>    speak a text file (or stdin) into one WAV
  resume <jobId> -o <out.wav>    follow a job already on the server and write its WAV
  voices                         list the voices the server offers
  help [command]                 help for a command

Options:
  -h, --help       this help      --version       the version

Environment:
  LECTOR_SERVER    server URL (default http://127.0.0.1:8787); --server overrides it
  LECTOR_API_KEY   sent as "Authorization: Bearer <key>" when set

Run \`lector <command> --help\` for a command's options. Exit codes are listed in docs/cli.md.
`;

type Command = (args: string[], signal: AbortSignal) => Promise<void>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  speak: { run: speak, help: SPEAK_HELP },
  resume: { run: resume, help: RESUME_HELP },
  voices: { run: voices, help: VOICES_HELP },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(HELP);
    return EXIT.usage;
  }
  if (name === '-h' || name === '--help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`lector ${version()}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    const topic = rest[0];
    const command = topic === undefined ? undefined : COMMANDS[topic];
    if (topic !== undefined && !command) return report(usageError(`no command "${topic}"`, 'commands: speak, resume, voices'));
    process.stdout.write(command ? command.help : HELP);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return report(usageError(`no command "${name}"`, 'commands: speak, resume, voices; see `lector --help`'));

  const trap = trapInterrupt();
  try {
    await command.run(rest, trap.signal);
    return EXIT.ok;
  } catch (e) {
    if (trap.signal.aborted && !(e instanceof CliError)) return report(new CliError(EXIT.interrupted, 'interrupted'));
    return report(e);
  } finally {
    trap.dispose();
  }
}

function report(e: unknown): number {
  if (e instanceof CliError) {
    const prefix = e.exitCode === EXIT.interrupted ? 'lector: ' : 'lector: error: ';
    process.stderr.write(`${prefix}${e.message}\n`);
    if (e.hint) process.stderr.write(`lector: ${e.hint}\n`);
    return e.exitCode;
  }
  process.stderr.write(`lector: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.failure;
}

if (import.meta.main) {
  // Exit explicitly: an idle keep-alive socket must not hold the process open.
  process.exit(await main(process.argv.slice(2)));
}
