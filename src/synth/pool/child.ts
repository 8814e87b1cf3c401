// The slice of ChildProcess the pool uses, so tests can hand it a fake
// (EventEmitter + PassThrough streams) instead of a real process.

import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ChildProcessLike {
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals | number): boolean;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'spawn', listener: () => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'spawn', listener: () => void): this;
}

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
}

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcessLike;

export const spawnChild: SpawnFn = (command, args, options) =>
  spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
