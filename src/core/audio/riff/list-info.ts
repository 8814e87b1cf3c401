// The RIFF `LIST/INFO` chunk: INAM (title), IART (artist), IPRD (album), each
// a NUL-terminated string padded to an even size.
import { concatBytes, latin1Bytes, u32le, utf8Bytes } from '../bytes.ts';

export interface InfoTags {
  title?: string;
  artist?: string;
  album?: string;
}

function subchunk(id: string, text: string): Uint8Array {
  const body = concatBytes([utf8Bytes(text), new Uint8Array([0])]);
  const pad = body.length % 2 === 1 ? new Uint8Array(1) : new Uint8Array(0);
  return concatBytes([latin1Bytes(id), u32le(body.length), body, pad]);
}

/** The whole LIST chunk, or no bytes when there is nothing to say. */
export function listInfoChunk(tags: InfoTags): Uint8Array {
  const parts: Uint8Array[] = [];
  if (tags.title) parts.push(subchunk('INAM', tags.title));
  if (tags.artist) parts.push(subchunk('IART', tags.artist));
  if (tags.album) parts.push(subchunk('IPRD', tags.album));
  if (parts.length === 0) return new Uint8Array(0);
  const body = concatBytes([latin1Bytes('INFO'), ...parts]);
  return concatBytes([latin1Bytes('LIST'), u32le(body.length), body]);
}
