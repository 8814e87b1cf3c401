#!/usr/bin/env node
// Bring-your-own-engine example: a Lector v1 worker around a speech command
// line program (Debian's `espeak-ng` or `flite`), the way Piper's and Coqui's
// CLIs are driven. Plain JavaScript, no dependencies, any Node >= 18.
//
// Protocol v1 (one JSON object per line):
//   stdin:  {"type":"synthesize","text":"Hello","output_path":"/tmp/x.wav","voice":"cli-espeak:en-us","speed":1}
//   stdout: {"status":"ok","output_path":"/tmp/x.wav"}
//       or  {"status":"error","output_path":"/tmp/x.wav","error":"..."}
// Anything else on stdout is ignored by the manager; logs go to stderr.
//
//   node examples/byo-engine/cli-worker.mjs espeak-ng
//   node examples/byo-engine/cli-worker.mjs flite

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const engine = process.argv[2] ?? 'espeak-ng';

/** How each program is called; text goes through stdin or argv, never through a shell. */
const ENGINES = {
  'espeak-ng': (text, voice, speed, out) => ({
    command: 'espeak-ng',
    // -b 1: UTF-8 input; no -m, so markup in the text is read as text.
    args: ['-b', '1', '-v', voice || 'en-us', '-s', String(Math.round(175 * speed)), '-w', out, '--stdin'],
    stdin: text,
  }),
  flite: (text, voice, speed, out) => ({
    command: 'flite',
    args: ['-voice', voice || 'slt', '--setf', `duration_stretch=${(1 / speed).toFixed(3)}`, '-t', text, '-o', out],
    stdin: '',
  }),
};

const build = ENGINES[engine];
if (!build) {
  process.stderr.write(`unknown engine ${engine}; use one of ${Object.keys(ENGINES).join(', ')}\n`);
  process.exit(2);
}

function reply(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function run({ command, args, stdin }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code ?? signal}: ${err.trim().slice(0, 300)}`))));
    child.stdin.end(stdin);
  });
}

// One request at a time, in order: the manager sends a v1 worker one request at a time anyway.
let queue = Promise.resolve();

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    // The manager's v2 handshake (and any other non-JSON line) lands here: ignoring it is what makes this a v1 worker.
    process.stderr.write(`cli-worker: ignoring a non-JSON line (${line.length} chars)\n`);
    return;
  }
  if (req?.type !== 'synthesize' || typeof req.text !== 'string' || typeof req.output_path !== 'string') {
    reply({ status: 'error', output_path: req?.output_path, error: 'expected {"type":"synthesize","text":...,"output_path":...}' });
    return;
  }
  const voice = typeof req.voice === 'string' ? req.voice.replace(/^[^:]*:/, '') : '';
  const speed = typeof req.speed === 'number' && req.speed > 0 ? req.speed : 1;
  queue = queue.then(async () => {
    try {
      await run(build(req.text, voice, speed, req.output_path));
      reply({ status: 'ok', output_path: req.output_path });
    } catch (error) {
      reply({ status: 'error', output_path: req.output_path, error: String(error.message ?? error) });
    }
  });
});
// The manager closing stdin (or dying) ends the worker.
rl.on('close', () => queue.then(() => process.exit(0)));
