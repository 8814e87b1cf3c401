// Request validation at the boundary: JSON bodies, job ids, chunk indexes.
import { z } from 'zod';
import { type CreateJobRequest, MIN_MAX_CHUNK_CHARS } from '../../../core/api/types.ts';
import { LectorError } from '../../../core/errors.ts';
import { isJobId } from '../../../core/ids.ts';

/** Largest request body accepted (a 1,000,000-character text in UTF-8 plus JSON overhead). */
export const MAX_BODY_BYTES = 4_500_000;

const createJobSchema = z.object({
  text: z.string().optional(),
  inputFormat: z.enum(['text', 'markdown', 'html', 'ssml']).optional(),
  // Checked by the speech planner's own rules, for their error codes (invalid_speed, invalid_lexicon, lexicon_too_large).
  speed: z.unknown().optional(),
  lexicon: z.unknown().optional(),
  title: z.string().max(500).optional(),
  author: z.string().max(500).optional(),
  chapters: z.array(z.object({ title: z.string().max(500), text: z.string() })).min(1).max(5000).optional(),
  chapterSelection: z.string().max(1000).optional(),
  audioFormat: z.string().max(20).optional(),
  voiceId: z.string().min(1).max(100).optional(),
  splitting: z.string().optional(),
  maxTokens: z.number().int().min(1).max(1000).optional(),
  // The voice's provider limit is checked by createJob (jobs.ts), which knows the voice.
  maxChunkChars: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .refine((n) => n === 0 || n >= MIN_MAX_CHUNK_CHARS, { error: `must be 0 (one paragraph per chunk) or at least ${MIN_MAX_CHUNK_CHARS}` })
    .optional(),
  inline: z.union([z.boolean(), z.literal('first')]).optional(),
  order: z.enum(['index', 'completion']).optional(),
  // Checked by parseWebhook (webhooks/subscription.ts) for its own error code.
  webhook: z.unknown().optional(),
});

export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new LectorError('unsupported_media_type', 415, 'send the body as application/json');
  }
  // The size limit is enforced as the body streams in (hono/body-limit in index.ts); this re-check costs nothing.
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_BODY_BYTES) throw tooLarge();
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new LectorError('invalid_json', 400, 'the body is not valid JSON');
  }
}

export function parseCreateJob(body: unknown): CreateJobRequest {
  const parsed = createJobSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw new LectorError('validation_failed', 400, `${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
  }
  const req = parsed.data as Omit<CreateJobRequest, 'text'> & { text?: string };
  if (req.text === undefined && req.chapters === undefined) {
    throw new LectorError('validation_failed', 400, 'text: send text (or chapters)', { details: { field: 'text' } });
  }
  return { ...req, text: req.text ?? '' } as CreateJobRequest;
}

export function parseJobId(value: string): string {
  if (!isJobId(value)) throw new LectorError('invalid_job_id', 400, 'job id must be a UUID');
  return value;
}

export function parseChunkIndex(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new LectorError('invalid_chunk_index', 400, 'chunk index must be a non-negative integer');
  return Number(value);
}

export function tooLarge(): LectorError {
  return new LectorError('payload_too_large', 413, `request body over ${MAX_BODY_BYTES} bytes`);
}
