// A legacy v1 worker for tests: reads `{"type":"synthesize","text",...,"output_path"}`
// lines on stdin, writes a WAV with the in-process eSpeak engine, answers one
// JSON line naming the file. Ignores anything else (including v2 handshakes).

import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { encodeWav } from '../../core/audio/wav.ts';
import { EspeakEngine } from '../engines/espeak.ts';

const engine = await EspeakEngine.load();
const voice = process.env.LECTOR_V1_VOICE ?? 'espeak:en-gb';
process.stdout.write('v1 test worker ready (this line is not JSON)\n');
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req: { type?: string; text?: string; output_path?: string };
  try {
    req = JSON.parse(line) as typeof req;
  } catch {
    process.stderr.write(`v1 worker: ignoring non-JSON input (${line.length} chars)\n`);
    return;
  }
  if (req.type !== 'synthesize' || typeof req.text !== 'string' || typeof req.output_path !== 'string') {
    process.stdout.write(`${JSON.stringify({ status: 'error', error: 'bad request' })}\n`);
    return;
  }
  try {
    const out = engine.synthesizeSync(req.text, voice, 1);
    writeFileSync(req.output_path, encodeWav(out.pcm, { sampleRate: out.sampleRate, channels: 1, bitsPerSample: 16 }));
    process.stdout.write(`${JSON.stringify({ status: 'ok', output_path: req.output_path })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ status: 'error', output_path: req.output_path, error: String(error) })}\n`);
  }
});
rl.on('close', () => process.exit(0));
