// How many 48 kHz samples one Opus packet holds, from its TOC byte (RFC 6716
// section 3.1): the frame size from the configuration, the count from the code.
import { AudioContainerError } from '../bytes.ts';

/** Frame duration in 48 kHz samples per configuration number (0-31). */
function frameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config % 4]!; // SILK: 10, 20, 40, 60 ms
  if (config < 16) return [480, 960][config % 2]!; // Hybrid: 10, 20 ms
  return [120, 240, 480, 960][config % 4]!; // CELT: 2.5, 5, 10, 20 ms
}

export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length === 0) throw new AudioContainerError('empty Opus packet');
  const toc = packet[0]!;
  const code = toc & 0b11;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 3) {
    if (packet.length < 2) throw new AudioContainerError('Opus code-3 packet without a frame count');
    frames = packet[1]! & 0x3f;
  } else frames = 2;
  return frames * frameSamples(toc >> 3);
}

/**
 * A 20 ms CELT packet that decodes to digital silence: TOC 0xF8 (fullband,
 * 20 ms, mono, one frame; 0xFC for stereo) and a range-coded frame whose
 * silence flag is set. The same three bytes libopus emits for silent input.
 */
export function silentOpusPacket(channels: number): Uint8Array {
  return new Uint8Array([channels === 2 ? 0xfc : 0xf8, 0xff, 0xfe]);
}
export const SILENT_PACKET_SAMPLES = 960;
