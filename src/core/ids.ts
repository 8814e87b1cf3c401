// Job ids are UUIDs minted by crypto.randomUUID(); everything that reaches
// storage keys is validated against this shape first.

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isJobId(value: string): boolean {
  return UUID_RE.test(value);
}

/** R2 key of one chunk's audio: only a validated UUID and an integer index go in. */
export function chunkAudioKey(jobId: string, index: number, ext: string): string {
  if (!isJobId(jobId)) throw new TypeError(`invalid job id: ${jobId}`);
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError(`invalid chunk index: ${index}`);
  if (!/^[a-z0-9]{1,8}$/.test(ext)) throw new TypeError(`invalid extension: ${ext}`);
  return `tts_audio/${jobId}/${index}.${ext}`;
}

export function jobAudioPrefix(jobId: string): string {
  if (!isJobId(jobId)) throw new TypeError(`invalid job id: ${jobId}`);
  return `tts_audio/${jobId}/`;
}
