// Fetches and decodes chunk audio for the player, only in a window around the
// playhead: a decoded hour of speech is hundreds of megabytes, so chunks
// behind the playhead and far ahead of it are dropped and refetched if needed.

export type AudioSlot =
  | { state: 'loading'; abort: AbortController }
  | { state: 'ready'; buffer: AudioBuffer }
  | { state: 'failed' };

const MAX_ATTEMPTS = 4;
const RETRY_BASE_MS = 400;

export class ChunkAudioCache {
  private readonly ctx: BaseAudioContext;
  private readonly slots = new Map<number, AudioSlot>();
  private readonly onSettled: () => void;
  private readonly onError: ((index: number, error: unknown) => void) | undefined;

  constructor(ctx: BaseAudioContext, onSettled: () => void, onError?: (index: number, error: unknown) => void) {
    this.ctx = ctx;
    this.onSettled = onSettled;
    this.onError = onError;
  }

  get(index: number): AudioSlot | undefined {
    return this.slots.get(index);
  }

  /** Loads the chunks in [from, to) that have a URL; drops what is well outside the window. */
  keep(from: number, to: number, urlOf: (index: number) => { url: string } | undefined): void {
    for (const [index, slot] of this.slots) {
      if (index >= from - 1 && index < to + 2) continue;
      if (slot.state === 'loading') slot.abort.abort();
      this.slots.delete(index);
    }
    for (let i = Math.max(0, from); i < to; i++) {
      if (this.slots.has(i)) continue;
      const meta = urlOf(i);
      if (meta) this.load(i, meta.url);
    }
  }

  clear(): void {
    for (const slot of this.slots.values()) if (slot.state === 'loading') slot.abort.abort();
    this.slots.clear();
  }

  private load(index: number, url: string): void {
    const abort = new AbortController();
    const slot: AudioSlot = { state: 'loading', abort };
    this.slots.set(index, slot);
    void this.fetchDecoded(url, abort.signal).then(
      (buffer) => {
        if (this.slots.get(index) !== slot) return; // evicted meanwhile
        this.slots.set(index, { state: 'ready', buffer });
        this.onSettled();
      },
      (error: unknown) => {
        if (abort.signal.aborted || this.slots.get(index) !== slot) return;
        this.slots.set(index, { state: 'failed' });
        this.onError?.(index, error);
        this.onSettled();
      },
    );
  }

  private async fetchDecoded(url: string, signal: AbortSignal): Promise<AudioBuffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(url, { signal });
        if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
        return await this.ctx.decodeAudioData(await res.arrayBuffer());
      } catch (e) {
        if (signal.aborted || attempt >= MAX_ATTEMPTS) throw e;
        console.warn(`chunk audio: attempt ${attempt} failed, retrying`, e);
        await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 2 ** (attempt - 1)));
      }
    }
  }
}
