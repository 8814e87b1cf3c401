// Requests sent to a worker and waiting for its reply, by key: settled by the
// reply, by an abort signal (timeout), or all at once when the process exits.

interface Waiter<T, E> {
  extra: E;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

export class PendingReplies<T, E = undefined> {
  private readonly waiters = new Map<string, Waiter<T, E>>();

  get size(): number {
    return this.waiters.size;
  }

  /**
   * Registers `key`, then calls `send`; resolves with the reply. An aborted
   * `signal` drops the wait and rejects with `abortError()`.
   */
  wait(key: string, extra: E, send: () => void, signal: AbortSignal | undefined, abortError: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        this.waiters.delete(key);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        cleanup();
        reject(abortError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(key, {
        extra,
        resolve: (value) => {
          cleanup();
          resolve(value);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      });
      send();
    });
  }

  /** Settles the wait for `key`; false when nothing waits for it (abandoned or unknown). */
  resolve(key: string, value: T): boolean {
    const w = this.waiters.get(key);
    w?.resolve(value);
    return w !== undefined;
  }

  /** The first wait whose `extra` matches, settled with `value`. */
  resolveWhere(match: (extra: E) => boolean, value: T): boolean {
    for (const w of this.waiters.values()) {
      if (match(w.extra)) {
        w.resolve(value);
        return true;
      }
    }
    return false;
  }

  rejectAll(error: Error): void {
    for (const w of [...this.waiters.values()]) w.reject(error);
    this.waiters.clear();
  }
}
