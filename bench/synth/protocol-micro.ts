// Encode + decode of one audio reply in protocol v2.0 (JSON + base64) and
// v2.1 (binary frame), as the worker and the manager do it.

import { encodeBinaryFrame, encodeJsonFrame, FrameDecoder, type Frame } from '../../src/synth/protocol/framing.ts';
import { envelope, type AudioPayload } from '../../src/synth/protocol/messages.ts';

function payload(pcm: Uint8Array): AudioPayload {
  return { type: 'audio', engine: 'espeak', voice: 'espeak:en-us', sampleRate: 22050, pcmBytes: pcm.byteLength, words: [[0, 5, 0, 300]], synthMs: 50, rssBytes: 1, models: [] };
}

export function encodeForBench(version: '2.0' | '2.1', pcm: Uint8Array): Buffer {
  const p = payload(pcm);
  const meta = { correlationId: 'c', workerId: 'w', retryCount: 0 };
  if (version === '2.1') return encodeBinaryFrame(envelope('response', p, meta, version, 'm'), pcm);
  p.pcmBase64 = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
  return encodeJsonFrame(envelope('response', p, meta, version, 'm'));
}

export function decodeForBench(bytes: Buffer): Uint8Array {
  let frame: Frame | undefined;
  const d = new FrameDecoder({ onFrame: (f) => (frame = f) });
  // Pipes deliver 64 KiB at a time.
  for (let i = 0; i < bytes.length; i += 65536) d.push(bytes.subarray(i, i + 65536));
  d.close();
  if (!frame) throw new Error('no frame');
  if (frame.kind === 'binary') return frame.body;
  const p = (frame.value as { payload: AudioPayload }).payload;
  return new Uint8Array(Buffer.from(p.pcmBase64!, 'base64'));
}
