// `lector voices`: the voices the server offers, as a table (or JSON).
import type { VoiceInfo } from '../../core/api/types.ts';
import { usageError } from '../errors.ts';
import { connect, parseCommandArgs } from '../options.ts';

export const VOICES_HELP = `Usage: lector voices [options]

Lists the voices the server offers: id, language, name and engine.

Options:
      --json                 print the server's JSON instead of a table
      --server <url>         Lector server (default $LECTOR_SERVER or http://127.0.0.1:8787)
  -h, --help                 this help
`;

/** Left-aligned columns separated by two spaces. */
export function formatVoiceTable(voices: readonly VoiceInfo[]): string {
  const header = ['ID', 'LANGUAGE', 'NAME', 'ENGINE'];
  const rows = [...voices]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((v) => [v.id, v.language, v.name, v.engine]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export async function voices(args: string[], signal: AbortSignal): Promise<void> {
  const parsed = parseCommandArgs('voices', args, { json: { type: 'boolean' } }, VOICES_HELP);
  if (!parsed) return;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`voices takes no arguments, got "${positionals.join(' ')}"`, 'see `lector voices --help`');
  const list = await connect(values.server).client.voices(signal);
  process.stdout.write(values.json ? JSON.stringify({ voices: list }, null, 2) + '\n' : formatVoiceTable(list));
}
