// The OpusHead identification header (RFC 7845 section 5.1), mapping family 0.
import { AudioContainerError, concatBytes, latin1Bytes, readAscii, u16le, u32le } from '../bytes.ts';

export const OPUS_HEAD_BYTES = 19;
/** Opus always decodes at 48 kHz; granule positions count 48 kHz samples. */
export const OPUS_RATE = 48_000;

export interface OpusHead {
  channels: number;
  preSkip: number;
  inputSampleRate: number;
}

export function writeOpusHead(h: OpusHead): Uint8Array {
  if (h.channels < 1 || h.channels > 2) throw new RangeError('mapping family 0 carries 1 or 2 channels');
  return concatBytes([latin1Bytes('OpusHead'), new Uint8Array([1, h.channels]), u16le(h.preSkip), u32le(h.inputSampleRate), new Uint8Array([0, 0, 0])]);
}

export function readOpusHead(packet: Uint8Array): OpusHead {
  if (packet.length < OPUS_HEAD_BYTES || readAscii(packet, 0, 8) !== 'OpusHead') throw new AudioContainerError('first Ogg packet is not an OpusHead');
  if (packet[18] !== 0) throw new AudioContainerError(`Opus channel mapping family ${packet[18]} is not supported`);
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return { channels: packet[9]!, preSkip: v.getUint16(10, true), inputSampleRate: v.getUint32(12, true) };
}
