// Base64 for large buffers. Where the runtime has them (workerd, Chromium), the
// native `Uint8Array.prototype.toBase64` / `Uint8Array.fromBase64` do it: a
// first chunk's 350 KB took ~4.5 ms the portable way, which sat in its event's
// path. Elsewhere (Node 24): never spread a big array into String.fromCharCode
// (the seeds' sketch does, and throws past ~100 KB).

const STEP = 0x8000;

type NativeEncode = { toBase64?: () => string };
type NativeDecode = { fromBase64?: (b64: string) => Uint8Array };

export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & NativeEncode).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += STEP) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + STEP) as unknown as number[]);
  }
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array {
  const native = (Uint8Array as unknown as NativeDecode).fromBase64;
  if (typeof native === 'function') return native(b64);
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
