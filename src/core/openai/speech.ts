// OpenAI's speech request (`POST /v1/audio/speech`) as one schema, with its
// response formats, their content types and OpenAI's voice names. Shared by
// the synthesis service and the orchestrator so both accept the same body.
import { z } from 'zod';

/** OpenAI's `response_format` values; `mp3` is OpenAI's default. */
export const RESPONSE_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];
export const DEFAULT_RESPONSE_FORMAT: ResponseFormat = 'mp3';

/**
 * Content type of each format as OpenAI-compatible servers send it
 * (Kokoro-FastAPI's table): `opus` is an Ogg Opus file, `aac` is ADTS,
 * `pcm` is raw signed 16-bit little-endian mono.
 */
export const RESPONSE_CONTENT_TYPES: Readonly<Record<ResponseFormat, string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** OpenAI's speech voices; servers map each to one of their own. */
export const OPENAI_VOICE_NAMES: readonly string[] = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];

export function isOpenAiVoiceName(name: string): boolean {
  return OPENAI_VOICE_NAMES.includes(name.toLowerCase());
}

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;

/** The request body. Length limits on `input` are each server's own (checked after parsing). */
export const speechRequestSchema = z.object({
  model: z.string().max(200).optional(),
  input: z.string(),
  voice: z.string().min(1).max(200),
  response_format: z.enum(RESPONSE_FORMATS).optional(),
  speed: z.number().finite().min(MIN_SPEED).max(MAX_SPEED).optional(),
  instructions: z.string().max(4096).optional(),
});

export type SpeechRequest = z.infer<typeof speechRequestSchema>;
