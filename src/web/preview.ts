// A short sample of a voice: one small job on POST /api/tts-stream with the
// audio inline (base64 WAV in each event), played with an <audio> element so
// it never disturbs the main player's schedule. Samples are kept per voice.
import type { ChunkEventData, ErrorEventData } from '../core/api/types.ts';
import { base64ToBytes } from '../core/base64.ts';
import { SseParser } from '../core/sse.ts';
import { ApiError } from './api.ts';

export const PREVIEW_TEXT = 'Hello! This is how I sound when I read to you.';

const samples = new Map<string, string>();
let playing: HTMLAudioElement | undefined;
/** Bumped by every start and stop, so a stop during synthesis cancels the sample. */
let turn = 0;

/** Plays a sample of `voiceId`; resolves when it has finished playing or was stopped. */
export async function previewVoice(voiceId: string, onPlaying?: () => void): Promise<void> {
  stopPreview();
  const mine = turn;
  let url = samples.get(voiceId);
  if (!url) {
    url = URL.createObjectURL(await synthesizeSample(voiceId));
    samples.set(voiceId, url);
  }
  if (mine !== turn) return; // stopped while the sample was being made
  const audio = new Audio(url);
  playing = audio;
  await new Promise<void>((resolve, reject) => {
    audio.addEventListener('ended', () => resolve());
    audio.addEventListener('pause', () => resolve());
    audio.addEventListener('error', () => reject(new Error('the sample could not be played')));
    audio.play().then(() => onPlaying?.(), reject);
  });
}

export function stopPreview(): void {
  turn++;
  playing?.pause();
  playing = undefined;
}

async function synthesizeSample(voiceId: string): Promise<Blob> {
  const res = await fetch('/api/tts-stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: PREVIEW_TEXT, voiceId, splitting: 'none', inline: true }),
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `preview failed (${res.status})`);
  }
  const parser = new SseParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const ev of parser.push(value)) {
      if (ev.event === 'message') {
        const chunk = JSON.parse(ev.data) as ChunkEventData;
        if (!chunk.audioChunk) continue;
        await reader.cancel();
        return new Blob([base64ToBytes(chunk.audioChunk) as Uint8Array<ArrayBuffer>], { type: chunk.mimeType });
      }
      if (ev.event === 'error') {
        const err = JSON.parse(ev.data) as ErrorEventData;
        throw new ApiError(502, err.code, err.message);
      }
    }
  }
  throw new Error('the preview stream ended without audio');
}
