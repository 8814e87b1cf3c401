// One Ogg page (RFC 3533): the 27-byte header, the lacing table and the body,
// written and read as pure functions. Packets are split into 255-byte lacing
// segments; a page holds at most 255 segments.
import { AudioContainerError, concatBytes, readAscii } from '../bytes.ts';
import { oggCrc32 } from './crc.ts';

export const PAGE_HEADER_BYTES = 27;
export const MAX_SEGMENTS = 255;
export const FLAG_CONTINUED = 0x01;
export const FLAG_BOS = 0x02;
export const FLAG_EOS = 0x04;

export interface PageFields {
  flags: number;
  /** Granule position; -1 when no packet ends on this page. */
  granule: number;
  serial: number;
  sequence: number;
}

/** Lacing values for a packet of `length` bytes (a multiple of 255 ends with a 0). */
export function lacing(length: number): number[] {
  const out = new Array<number>(Math.floor(length / 255)).fill(255);
  out.push(length % 255);
  return out;
}

/** A page from its lacing values and body; the CRC is computed here. */
export function writePage(fields: PageFields, segments: readonly number[], body: Uint8Array): Uint8Array {
  if (segments.length > MAX_SEGMENTS) throw new RangeError('an Ogg page holds at most 255 segments');
  const page = new Uint8Array(PAGE_HEADER_BYTES + segments.length + body.length);
  const v = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53], 0); // OggS
  page[5] = fields.flags;
  if (fields.granule < 0) v.setBigInt64(6, -1n, true);
  else v.setBigUint64(6, BigInt(fields.granule), true);
  v.setUint32(14, fields.serial >>> 0, true);
  v.setUint32(18, fields.sequence >>> 0, true);
  page[26] = segments.length;
  page.set(segments, PAGE_HEADER_BYTES);
  page.set(body, PAGE_HEADER_BYTES + segments.length);
  v.setUint32(22, oggCrc32(page), true);
  return page;
}

/** A page of whole packets (each under 255 * 255 bytes). */
export function writePacketsPage(fields: PageFields, packets: readonly Uint8Array[]): Uint8Array {
  const segments = packets.flatMap((p) => lacing(p.length));
  return writePage(fields, segments, concatBytes(packets));
}

export interface ParsedPage extends PageFields {
  segments: Uint8Array;
  body: Uint8Array;
  /** Whole page in bytes. */
  bytes: number;
}

/** Reads the page at `offset`; throws on a bad capture pattern or a truncated page. */
export function readPage(buf: Uint8Array, offset: number): ParsedPage {
  if (readAscii(buf, offset, 4) !== 'OggS' || buf[offset + 4] !== 0) throw new AudioContainerError(`no Ogg page at byte ${offset}`);
  if (offset + PAGE_HEADER_BYTES > buf.length) throw new AudioContainerError('truncated Ogg page header');
  const v = new DataView(buf.buffer, buf.byteOffset + offset);
  const count = buf[offset + 26]!;
  const segments = buf.subarray(offset + PAGE_HEADER_BYTES, offset + PAGE_HEADER_BYTES + count);
  let bodyBytes = 0;
  for (const s of segments) bodyBytes += s;
  const start = offset + PAGE_HEADER_BYTES + count;
  if (start + bodyBytes > buf.length) throw new AudioContainerError('truncated Ogg page');
  const granule = v.getBigInt64(6, true);
  return {
    flags: buf[offset + 5]!,
    granule: Number(granule),
    serial: v.getUint32(14, true),
    sequence: v.getUint32(18, true),
    segments,
    body: buf.subarray(start, start + bodyBytes),
    bytes: PAGE_HEADER_BYTES + count + bodyBytes,
  };
}

export interface OggPacket {
  data: Uint8Array;
  /** Granule of the page this packet ends on, if it is the last packet ending there. */
  pageGranule?: number;
}

/** The packets of a single-stream Ogg file in order, with each page's last packet marked by its granule. */
export function readPackets(buf: Uint8Array): OggPacket[] {
  const packets: OggPacket[] = [];
  let pending: Uint8Array[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const page = readPage(buf, offset);
    offset += page.bytes;
    let pos = 0;
    let start = 0;
    let lastEnded = -1;
    for (let i = 0; i < page.segments.length; i++) {
      const s = page.segments[i]!;
      pos += s;
      if (s < 255) {
        pending.push(page.body.subarray(start, pos));
        packets.push({ data: pending.length === 1 ? pending[0]! : concatBytes(pending) });
        pending = [];
        start = pos;
        lastEnded = packets.length - 1;
      }
    }
    if (start < pos) pending.push(page.body.subarray(start, pos));
    if (lastEnded >= 0) packets[lastEnded]!.pageGranule = page.granule;
  }
  return packets;
}

