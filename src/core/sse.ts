// Server-Sent Events framing (writer) and an incremental parser (for the CLI,
// tests and any fetch-based client). Runtime-free.

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** One SSE frame. Data is split on newlines so multi-line payloads stay intact. */
export function formatSseEvent(event: string, data: unknown, id?: string | number): string {
  const body = typeof data === 'string' ? data : JSON.stringify(data);
  let frame = `event: ${event}\n`;
  if (id !== undefined) frame += `id: ${id}\n`;
  for (const line of body.split('\n')) frame += `data: ${line}\n`;
  return frame + '\n';
}

export function formatSseComment(text: string): string {
  return `: ${text}\n\n`;
}

/** Incremental parser: feed decoded text, get complete events. Follows the WHATWG field rules. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  /** Last id seen on the stream, for `Last-Event-ID` on reconnect. */
  lastEventId: string | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.nextLineEnd()) >= 0) {
      let line = this.buffer.slice(0, nl);
      const skip = this.buffer[nl] === '\r' && this.buffer[nl + 1] === '\n' ? 2 : 1;
      this.buffer = this.buffer.slice(nl + skip);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.data.length > 0 || this.event) {
          const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
          if (this.id !== undefined) ev.id = this.id;
          out.push(ev);
        }
        this.event = '';
        this.data = [];
        this.id = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id') {
        this.id = value;
        this.lastEventId = value;
      }
    }
    return out;
  }

  private nextLineEnd(): number {
    const n = this.buffer.indexOf('\n');
    const r = this.buffer.indexOf('\r');
    if (r >= 0 && (n < 0 || r < n)) return r === this.buffer.length - 1 ? -1 : r;
    return n;
  }
}
