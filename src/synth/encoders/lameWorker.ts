// Worker thread that encodes MP3 with LAME compiled to WASM
// (wasm-media-encoders): CBR mono at the PCM's rate, raw frames only (the
// library writes no ID3 tag and no Xing/Info frame). One encoder per thread,
// reused for every request.

import { parentPort } from 'node:worker_threads';
import { createMp3Encoder } from 'wasm-media-encoders';

export interface LameRequest {
  id: number;
  /** PCM16 little-endian mono. */
  pcm: ArrayBuffer;
  sampleRate: number;
  kbps: 8 | 16 | 24 | 32 | 40 | 48 | 64 | 80 | 96 | 112 | 128 | 160 | 192 | 224 | 256 | 320;
}

export type LameReply = { id: number; mp3: ArrayBuffer } | { id: number; error: string };

const encoder = createMp3Encoder();

parentPort!.on('message', async (req: LameRequest) => {
  try {
    const lame = await encoder;
    const view = new DataView(req.pcm);
    const samples = new Float32Array(req.pcm.byteLength >> 1);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
    lame.configure({ sampleRate: req.sampleRate, channels: 1, bitrate: req.kbps });
    // The encoder owns its output buffer: copy each part out before the next call.
    const body = lame.encode([samples]).slice();
    const tail = lame.finalize().slice();
    const mp3 = new Uint8Array(body.length + tail.length);
    mp3.set(body);
    mp3.set(tail, body.length);
    parentPort!.postMessage({ id: req.id, mp3: mp3.buffer } satisfies LameReply, [mp3.buffer]);
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: String(e) } satisfies LameReply);
  }
});
