// The webhook signature: HMAC-SHA256 with the subscriber's secret over
// `<unix seconds>.<body>`, sent as `X-Lector-Signature: t=<unix>,v1=<hex>`
// (the recipe is in docs/webhooks-and-feeds.md). The timestamp inside the MAC
// lets receivers refuse replays of an old delivery.

export const SIGNATURE_HEADER = 'x-lector-signature';

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `t=<unix>,v1=<hex hmac(secret, t + "." + body)>` for one attempt. */
export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, enc.encode(`${unixSeconds}.${body}`));
  return `t=${unixSeconds},v1=${hex(mac)}`;
}
