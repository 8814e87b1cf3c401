// A WAV header with tags: RIFF, `fmt `, `LIST/INFO`, then the `data` chunk
// header, for PCM 16-bit. Its size depends only on the tags, so it can be
// reserved up front and written once the data size is known.
import { concatBytes, latin1Bytes, u32le } from '../bytes.ts';
import { wavHeader, type PcmFormat } from '../wav.ts';
import { listInfoChunk, type InfoTags } from './list-info.ts';

export function taggedWavHeaderBytes(tags: InfoTags): number {
  return 44 + listInfoChunk(tags).length;
}

export function taggedWavHeader(format: PcmFormat, dataBytes: number, tags: InfoTags): Uint8Array {
  const plain = wavHeader(format, dataBytes); // RIFF(12) + fmt(24) + data header(8)
  const list = listInfoChunk(tags);
  const riffSize = Math.min(0xffffffff, 4 + 24 + list.length + 8 + dataBytes);
  return concatBytes([latin1Bytes('RIFF'), u32le(riffSize), plain.subarray(8, 36), list, plain.subarray(36, 44)]);
}
