import { describe, expect, it, vi } from 'vitest';
import { formatVoiceTable } from './commands/voices.ts';
import { parseServerUrl } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import { connect, parseCommandArgs, resumeCommand } from './options.ts';

describe('cli options', () => {
  it('prints a resume command the shell reads back exactly', () => {
    const id = '3f2b9c1e-5d7a-4e0b-9c4f-2a6d8e1f0b3c';
    expect(resumeCommand(id, 'out.wav', undefined)).toBe(`lector resume ${id} -o out.wav`);
    expect(resumeCommand(id, "my book's.wav", 'http://127.0.0.1:9000')).toBe(`lector resume ${id} -o 'my book'\\''s.wav' --server http://127.0.0.1:9000`);
  });

  it('takes the server from the flag, then LECTOR_SERVER, then the default', () => {
    expect(connect(undefined, {}).client.serverUrl).toBe('http://127.0.0.1:8787');
    expect(connect(undefined, { LECTOR_SERVER: 'http://h:1/' }).client.serverUrl).toBe('http://h:1');
    expect(connect('https://x.example/lector/', { LECTOR_SERVER: 'http://h:1' }).client.serverUrl).toBe('https://x.example/lector');
    const bad = (() => {
      try {
        parseServerUrl('ftp://x');
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(CliError);
    expect((bad as CliError).exitCode).toBe(EXIT.usage);
  });

  it('parses a command\'s own options beside --server and --help', () => {
    const parsed = parseCommandArgs('voices', ['--json', '--server', 'http://h:1', 'extra'], { json: { type: 'boolean' } }, 'HELP');
    expect(parsed?.values).toEqual({ json: true, server: 'http://h:1' });
    expect(parsed?.positionals).toEqual(['extra']);
  });

  it('prints the help for -h and leaves the command nothing to do', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(parseCommandArgs('voices', ['-h'], { json: { type: 'boolean' } }, 'HELP')).toBeUndefined();
      expect(write).toHaveBeenCalledWith('HELP');
    } finally {
      write.mockRestore();
    }
  });

  it('turns an unknown option into a usage error pointing at the command\'s help', () => {
    const err = (() => {
      try {
        parseCommandArgs('voices', ['--nope'], { json: { type: 'boolean' } }, 'HELP');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    expect((err as CliError).hint).toBe('see `lector voices --help`');
  });

  it('lays out the voice table in columns', () => {
    const table = formatVoiceTable([
      { id: 'flite:slt', name: 'Flite SLT', language: 'en-us', engine: 'flite' },
      { id: 'espeak:en-us', name: 'English (America)', language: 'en-us', engine: 'espeak' },
    ]);
    expect(table).toBe(
      ['ID            LANGUAGE  NAME               ENGINE', 'espeak:en-us  en-us     English (America)  espeak', 'flite:slt     en-us     Flite SLT          flite', ''].join('\n'),
    );
  });
});
