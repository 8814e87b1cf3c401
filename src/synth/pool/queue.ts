// Priority queue of pending syntheses: high, then normal, then low, FIFO
// within a priority. Items can be removed from the middle (cancel, timeout).

import type { Priority } from '../types.ts';

export class PriorityQueue<T extends { priority: Priority }> {
  private readonly lanes: Record<Priority, T[]> = { high: [], normal: [], low: [] };

  get size(): number {
    return this.lanes.high.length + this.lanes.normal.length + this.lanes.low.length;
  }

  sizeOf(priority: Priority): number {
    return this.lanes[priority].length;
  }

  push(item: T): void {
    this.lanes[item.priority].push(item);
  }

  /** Puts an item back at the head of its lane (a retried request keeps its turn). */
  unshift(item: T): void {
    this.lanes[item.priority].unshift(item);
  }

  remove(item: T): boolean {
    const lane = this.lanes[item.priority];
    const i = lane.indexOf(item);
    if (i < 0) return false;
    lane.splice(i, 1);
    return true;
  }

  /** Items in dispatch order. */
  *[Symbol.iterator](): IterableIterator<T> {
    yield* this.lanes.high;
    yield* this.lanes.normal;
    yield* this.lanes.low;
  }

  peek(): T | undefined {
    return this.lanes.high[0] ?? this.lanes.normal[0] ?? this.lanes.low[0];
  }
}
