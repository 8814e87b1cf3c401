// Reads an Ogg Opus stream's page headers (RFC 3533 pages, RFC 7845 Opus
// mapping) without decoding: checks each page's CRC, that there is one
// logical stream opened by OpusHead, and gives the exact duration from the
// last granule position minus the pre-skip.
import { oggCrc32 } from '../../../core/audio/ogg/crc.ts';

/** What a walk over an Ogg Opus file's pages found. */
export interface OggOpusScan {
  serial: number;
  pages: number;
  channels: number;
  /** Samples at 48 kHz the decoder drops at the start (OpusHead). */
  preSkip: number;
  /** The encoder input's sample rate, informational (OpusHead). */
  inputSampleRate: number;
  /** Granule position of the last page: 48 kHz samples including the pre-skip. */
  lastGranule: number;
  /** Decoded samples at 48 kHz: last granule − pre-skip. */
  samples: number;
  /** Exact duration, ms (not rounded). */
  durationMs: number;
  /** The last page carries the end-of-stream flag. */
  ended: boolean;
}

export class OggOpusError extends Error {
  override readonly name = 'OggOpusError';
}

/** Ogg's CRC-32 of the page `[start, end)` with its CRC field read as zero. */
function pageCrc(bytes: Uint8Array, start: number, end: number): number {
  // A copy (a Buffer's slice would be a view, and zeroing it would change the caller's bytes).
  const page = new Uint8Array(end - start);
  page.set(bytes.subarray(start, end));
  page.fill(0, 22, 26);
  return oggCrc32(page);
}

/** Scans an Ogg Opus file; throws OggOpusError naming what is wrong. */
export function scanOggOpus(bytes: Uint8Array): OggOpusScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let pages = 0;
  let serial = -1;
  let lastGranule = -1;
  let ended = false;
  let head: { channels: number; preSkip: number; inputSampleRate: number } | undefined;
  while (offset < bytes.length) {
    if (offset + 27 > bytes.length || view.getUint32(offset) !== 0x4f676753) throw new OggOpusError(`no Ogg page at byte ${offset}`); // "OggS"
    if (bytes[offset + 4] !== 0) throw new OggOpusError(`unknown Ogg version at byte ${offset}`);
    if (ended) throw new OggOpusError('a page follows the end-of-stream page (chained streams are not stored)');
    const type = bytes[offset + 5]!;
    const granuleLow = view.getUint32(offset + 6, true);
    const granuleHigh = view.getInt32(offset + 10, true);
    const pageSerial = view.getUint32(offset + 14, true);
    const segments = bytes[offset + 26]!;
    const dataStart = offset + 27 + segments;
    if (dataStart > bytes.length) throw new OggOpusError(`truncated segment table at byte ${offset}`);
    let size = 0;
    for (let i = 0; i < segments; i++) size += bytes[offset + 27 + i]!;
    const end = dataStart + size;
    if (end > bytes.length) throw new OggOpusError(`truncated page at byte ${offset}`);
    if (pageCrc(bytes, offset, end) !== view.getUint32(offset + 22, true)) throw new OggOpusError(`bad CRC in page ${pages}`);
    if (pages === 0) {
      if (!(type & 0x02)) throw new OggOpusError('first page is not a beginning-of-stream page');
      serial = pageSerial;
      head = readOpusHead(bytes.subarray(dataStart, end));
    } else if (pageSerial !== serial) {
      throw new OggOpusError('more than one logical stream');
    }
    // -1 marks a page on which no packet ends.
    if (!(granuleLow === 0xffffffff && granuleHigh === -1)) lastGranule = granuleHigh * 2 ** 32 + granuleLow;
    ended = (type & 0x04) !== 0;
    pages++;
    offset = end;
  }
  if (!head) throw new OggOpusError('empty stream');
  if (lastGranule < 0) throw new OggOpusError('no granule position');
  const samples = Math.max(0, lastGranule - head.preSkip);
  return { serial, pages, ...head, lastGranule, samples, durationMs: samples / 48, ended };
}

function readOpusHead(packet: Uint8Array): { channels: number; preSkip: number; inputSampleRate: number } {
  const magic = String.fromCharCode(...packet.subarray(0, 8));
  if (magic !== 'OpusHead' || packet.length < 19) throw new OggOpusError('first packet is not OpusHead');
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  if ((packet[8]! & 0xf0) !== 0) throw new OggOpusError(`unsupported OpusHead version ${packet[8]}`);
  return { channels: packet[9]!, preSkip: view.getUint16(10, true), inputSampleRate: view.getUint32(12, true) };
}
