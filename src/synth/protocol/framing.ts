// Stdio framing between the manager and v2 workers.
//
// v2.0 frames are JSON text sequences (RFC 7464): RS (0x1E), one JSON text
// without raw control characters, LF. v2.1 adds binary frames that carry PCM
// without base64: US (0x1F) "LB2", u32 header length, u32 body length, u32
// CRC-32 of header+body (all little-endian), a JSON header, then the body.
//
// The decoder skips anything between frames (stray prints from libraries),
// drops frames that are cut short (a new frame marker before the end, a bad
// CRC, invalid JSON) and, when an incomplete frame sees no new bytes for
// `partialFrameTimeoutMs`, gives up on it and resynchronizes.

import { crc32 } from 'node:zlib';

const RS = 0x1e;
const LF = 0x0a;
const US = 0x1f;
const BINARY_MAGIC = Buffer.from([US, 0x4c, 0x42, 0x32]); // US 'L' 'B' '2'
const BINARY_PREFIX_BYTES = 16;

/**
 * A decoded frame. A binary frame's body is kept in the pieces it arrived in
 * (`parts`: views of the stdout reads, no copy); `body` joins them on first use.
 */
export type Frame = { kind: 'json'; value: unknown } | BinaryFrame;

export interface BinaryFrame {
  kind: 'binary';
  header: unknown;
  parts: readonly Uint8Array[];
  byteLength: number;
  readonly body: Uint8Array;
}

function binaryFrame(header: unknown, parts: readonly Uint8Array[], byteLength: number): BinaryFrame {
  let joined: Uint8Array | undefined;
  return {
    kind: 'binary',
    header,
    parts,
    byteLength,
    get body(): Uint8Array {
      joined ??= parts.length === 1 ? parts[0]! : new Uint8Array(Buffer.concat(parts, byteLength));
      return joined;
    },
  };
}

export interface FrameDecoderOptions {
  /** Called for every complete, valid frame. */
  onFrame: (frame: Frame) => void;
  /** Called with bytes that are not part of any frame (logged by the caller). */
  onStray?: (text: string) => void;
  /** Called when a frame is dropped as corrupt or truncated. */
  onCorrupt?: (reason: string) => void;
  /** Give up on an incomplete frame after this long without new bytes (default 5000 ms). */
  partialFrameTimeoutMs?: number;
  /** Largest accepted frame, header and body together (default 64 MiB). */
  maxFrameBytes?: number;
}

export function encodeJsonFrame(value: unknown): Buffer {
  return Buffer.concat([Buffer.from([RS]), Buffer.from(JSON.stringify(value), 'utf8'), Buffer.from([LF])]);
}

export function encodeBinaryFrame(header: unknown, body: Uint8Array): Buffer {
  return Buffer.concat(binaryFrameParts(header, [body]));
}

/**
 * A binary frame as pieces to write in order (writev): the prefix and header
 * in one buffer, then the body parts themselves, not copied.
 */
export function binaryFrameParts(header: unknown, bodyParts: readonly Uint8Array[]): Uint8Array[] {
  const json = JSON.stringify(header);
  const headerLen = Buffer.byteLength(json, 'utf8');
  const head = Buffer.allocUnsafe(BINARY_PREFIX_BYTES + headerLen);
  BINARY_MAGIC.copy(head, 0);
  head.write(json, BINARY_PREFIX_BYTES, 'utf8');
  let bodyLen = 0;
  let crc = crc32(head.subarray(BINARY_PREFIX_BYTES));
  for (const p of bodyParts) {
    bodyLen += p.byteLength;
    crc = crc32(p, crc);
  }
  head.writeUInt32LE(headerLen, 4);
  head.writeUInt32LE(bodyLen, 8);
  head.writeUInt32LE(crc, 12);
  return [head, ...bodyParts];
}

export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks held back while a binary frame of known size is incomplete (concatenated once). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private needBytes = 0;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly options: Required<Omit<FrameDecoderOptions, 'onStray' | 'onCorrupt'>> &
    Pick<FrameDecoderOptions, 'onStray' | 'onCorrupt'>;

  constructor(options: FrameDecoderOptions) {
    this.options = { partialFrameTimeoutMs: 5000, maxFrameBytes: 64 * 1024 * 1024, ...options };
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffer.length + this.heldBytes;
  }

  push(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.needBytes > 0) {
      // A large frame is still arriving: avoid re-copying it on every chunk.
      this.held.push(bytes);
      this.heldBytes += bytes.length;
      if (this.buffer.length + this.heldBytes < this.needBytes) {
        this.armStaleTimer();
        return;
      }
      const pieces = [this.buffer, ...this.held];
      const total = this.needBytes;
      this.held = [];
      this.heldBytes = 0;
      this.needBytes = 0;
      // Not valid as it stands (null): the contiguous path drops it and resynchronizes.
      this.buffer = this.takeHeldBinary(pieces, total) ?? Buffer.concat(pieces);
    } else {
      this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
    }
    this.drain();
  }

  /** Stops the partial-frame timer (call when the stream ends). */
  close(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    if (this.pendingBytes > 0) this.options.onCorrupt?.(`stream ended inside a frame (${this.pendingBytes} bytes)`);
    this.buffer = Buffer.alloc(0);
    this.held = [];
    this.heldBytes = 0;
    this.needBytes = 0;
  }

  /**
   * A binary frame of `total` bytes at the start of `pieces` (the buffer, which
   * holds at least its prefix, then the chunks held since): emitted with its body
   * as views of the pieces. Returns the bytes after the frame, or null when the
   * frame is not valid (left to the contiguous path to drop).
   */
  private takeHeldBinary(pieces: readonly Buffer[], total: number): Buffer | null {
    const first = pieces[0]!;
    const headerEnd = BINARY_PREFIX_BYTES + first.readUInt32LE(4);
    const headerBytes = first.length >= headerEnd ? first.subarray(BINARY_PREFIX_BYTES, headerEnd) : Buffer.concat(pieces).subarray(BINARY_PREFIX_BYTES, headerEnd);
    const parts: Buffer[] = [];
    let crc = crc32(headerBytes);
    let at = 0;
    let rest: Buffer = Buffer.alloc(0);
    for (const piece of pieces) {
      const start = Math.max(headerEnd, at);
      const end = Math.min(total, at + piece.length);
      if (end > start) {
        const part = piece.subarray(start - at, end - at);
        parts.push(part);
        crc = crc32(part, crc);
      }
      if (at + piece.length > total) rest = rest.length === 0 ? piece.subarray(Math.max(0, total - at)) : Buffer.concat([rest, piece]);
      at += piece.length;
    }
    if (crc !== first.readUInt32LE(12)) return null;
    let header: unknown;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      return null;
    }
    this.options.onFrame(binaryFrame(header, parts, total - headerEnd));
    return rest;
  }

  private armStaleTimer(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => this.dropStale(), this.options.partialFrameTimeoutMs);
    this.staleTimer.unref?.();
  }

  private drain(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    for (;;) {
      const start = this.nextMarker(0);
      if (start < 0) {
        this.stray(this.buffer);
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (start > 0) {
        this.stray(this.buffer.subarray(0, start));
        this.buffer = this.buffer.subarray(start);
      }
      const consumed = this.buffer[0] === RS ? this.tryJson() : this.tryBinary();
      if (consumed === 0) {
        // Incomplete frame: wait for more bytes, but not forever.
        this.armStaleTimer();
        return;
      }
      this.buffer = this.buffer.subarray(consumed);
      if (this.buffer.length === 0) return;
    }
  }

  /** Index of the next RS or binary magic at or after `from`, or -1. */
  private nextMarker(from: number): number {
    const b = this.buffer;
    for (let i = from; i < b.length; i++) {
      const c = b[i];
      if (c === RS) return i;
      if (c === US) {
        // A magic cut at the end of the buffer may still complete.
        const n = Math.min(BINARY_MAGIC.length, b.length - i);
        if (b.subarray(i, i + n).equals(BINARY_MAGIC.subarray(0, n))) return i;
      }
    }
    return -1;
  }

  /** Returns bytes consumed (frame or dropped garbage), or 0 when incomplete. */
  private tryJson(): number {
    const b = this.buffer;
    for (let i = 1; i < b.length; i++) {
      const c = b[i];
      if (c === LF) {
        const text = b.toString('utf8', 1, i);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          this.options.onCorrupt?.(`invalid JSON frame: ${(error as Error).message}`);
          return i + 1;
        }
        this.options.onFrame({ kind: 'json', value });
        return i + 1;
      }
      if (c === RS || (c === US && this.nextMarker(i) === i)) {
        this.options.onCorrupt?.('JSON frame cut short by the next frame');
        return i;
      }
      if (i > this.options.maxFrameBytes) {
        this.options.onCorrupt?.('JSON frame exceeds maxFrameBytes');
        return i;
      }
    }
    return 0;
  }

  private tryBinary(): number {
    const b = this.buffer;
    if (b.length < BINARY_PREFIX_BYTES) return 0;
    if (!b.subarray(0, 4).equals(BINARY_MAGIC)) return 1;
    const headerLen = b.readUInt32LE(4);
    const bodyLen = b.readUInt32LE(8);
    if (headerLen + bodyLen > this.options.maxFrameBytes) {
      this.options.onCorrupt?.('binary frame exceeds maxFrameBytes');
      return 1;
    }
    const total = BINARY_PREFIX_BYTES + headerLen + bodyLen;
    if (b.length < total) {
      this.needBytes = total;
      return 0;
    }
    const headerBytes = b.subarray(BINARY_PREFIX_BYTES, BINARY_PREFIX_BYTES + headerLen);
    const body = b.subarray(BINARY_PREFIX_BYTES + headerLen, total);
    if (crc32(body, crc32(headerBytes)) !== b.readUInt32LE(12)) {
      this.options.onCorrupt?.('binary frame CRC mismatch');
      return 1;
    }
    let header: unknown;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch (error) {
      this.options.onCorrupt?.(`invalid binary frame header: ${(error as Error).message}`);
      return 1;
    }
    // A view, not a copy: decoder buffers are never written to after concat.
    this.options.onFrame(binaryFrame(header, [new Uint8Array(body.buffer, body.byteOffset, body.byteLength)], body.byteLength));
    return total;
  }

  private dropStale(): void {
    this.staleTimer = undefined;
    if (this.heldBytes > 0) {
      this.buffer = Buffer.concat([this.buffer, ...this.held]);
      this.held = [];
      this.heldBytes = 0;
    }
    this.needBytes = 0;
    if (this.buffer.length === 0) return;
    this.options.onCorrupt?.(`incomplete frame timed out (${this.buffer.length} bytes)`);
    this.buffer = this.buffer.subarray(1);
    this.drain();
  }

  private stray(bytes: Buffer): void {
    if (bytes.length === 0 || !this.options.onStray) return;
    const text = bytes.toString('utf8').trim();
    if (text) this.options.onStray(text);
  }
}
