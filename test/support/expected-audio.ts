// The PCM a job's full audio must contain: eSpeak NG's direct synthesis of
// each chunk, in order, with the designed pauses. Tests compare byte for byte.
import { DEFAULT_PAUSES, pauseBeforeMs, type PauseOptions } from '../../src/core/audio/timeline.ts';
import { silenceBytes } from '../../src/core/audio/wav.ts';
import { synthesizeEspeakPcm } from '../../src/synth/engines/espeak-direct.ts';

export interface ExpectedChunk {
  text: string;
  paragraphStart: boolean;
}

export async function expectedJobPcm(chunks: readonly ExpectedChunk[], voice = 'en-us', pauses: PauseOptions = DEFAULT_PAUSES): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const [position, c] of chunks.entries()) {
    const direct = await synthesizeEspeakPcm(c.text, voice);
    const format = { sampleRate: direct.sampleRate, channels: 1, bitsPerSample: 16 as const };
    const pause = silenceBytes(pauseBeforeMs(position, c.paragraphStart, pauses), format);
    if (pause > 0) parts.push(Buffer.alloc(pause));
    parts.push(Buffer.from(direct.pcm));
  }
  return Buffer.concat(parts);
}
