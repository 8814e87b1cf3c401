// Reads the text to speak from a file or from stdin (`-`).
import { readFile } from 'node:fs/promises';
import { CliError, EXIT, usageError } from './errors.ts';

export const STDIN_PATH = '-';

/** The whole text of `path` (or stdin for `-`); Ctrl-C (`signal`) stops a read from a terminal. */
export async function readText(path: string, signal: AbortSignal, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  let text: string;
  if (path === STDIN_PATH) {
    if (stdin.isTTY) process.stderr.write('lector: reading text from the terminal; end it with Ctrl-D\n');
    const onAbort = (): void => void stdin.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    const parts: Buffer[] = [];
    try {
      for await (const part of stdin) parts.push(typeof part === 'string' ? Buffer.from(part) : (part as Buffer));
    } catch (e) {
      if (!signal.aborted) throw usageError(`cannot read stdin: ${String(e)}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) throw new CliError(EXIT.interrupted, 'interrupted before a job was created');
    text = Buffer.concat(parts).toString('utf8');
  } else {
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(e);
      throw usageError(`cannot read ${path}: ${why}`);
    }
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw usageError(`${path === STDIN_PATH ? 'stdin' : path} has no text to speak`);
  return text;
}
