// A cockatiel breaker that opens when either of two breakers would: a failure
// rate over a sliding window (steady trouble), or failures in a row (a backend
// that is down, seen by jobs that hold back and so call too rarely to fill
// the window). Its state serializes both, for toJSON / initialState.
import type { CircuitState, IBreaker } from 'cockatiel';

export class EitherBreaker implements IBreaker {
  private readonly a: IBreaker;
  private readonly b: IBreaker;

  constructor(a: IBreaker, b: IBreaker) {
    this.a = a;
    this.b = b;
  }

  get state(): unknown {
    return { a: this.a.state, b: this.b.state };
  }

  set state(value: unknown) {
    const v = value as { a?: unknown; b?: unknown } | undefined;
    if (v && 'a' in v) this.a.state = v.a;
    if (v && 'b' in v) this.b.state = v.b;
  }

  success(state: CircuitState): void {
    this.a.success(state);
    this.b.success(state);
  }

  failure(state: CircuitState): boolean {
    // Both see every failure, so each keeps its own count.
    const x = this.a.failure(state);
    const y = this.b.failure(state);
    return x || y;
  }
}
