// The sleep timer: pause after some minutes, or at the end of the chapter
// (without chapters: the end of the sentence being read). Checked on every
// render tick, which runs in the background too (a 250 ms timer while hidden).
import type { SentencePlace } from './sentence-map.ts';

export type SleepSetting = { kind: 'off' } | { kind: 'minutes'; minutes: number } | { kind: 'chapter' };

export class SleepTimer {
  private deadline: number | null = null;
  /** Pause once playback reaches this sentence (of this chunk). */
  private stopAt: SentencePlace | null = null;
  private setting: SleepSetting = { kind: 'off' };

  get active(): boolean {
    return this.setting.kind !== 'off';
  }

  /** `end`: the first sentence after the current chapter (or sentence), needed for `chapter`. */
  set(setting: SleepSetting, end: SentencePlace, now = Date.now()): void {
    this.setting = setting;
    this.deadline = setting.kind === 'minutes' ? now + setting.minutes * 60_000 : null;
    this.stopAt = setting.kind === 'chapter' ? { ...end } : null;
  }

  /** Milliseconds left, or null without a minutes timer. */
  remainingMs(now = Date.now()): number | null {
    return this.deadline === null ? null : Math.max(0, this.deadline - now);
  }

  /** The chunk where the end-of-chapter (or sentence) timer stops, or null. */
  get stopChunk(): number | null {
    return this.stopAt?.index ?? null;
  }

  /** True once when it is time to pause (then the timer is off); `next` is where playback would go on. */
  due(next: SentencePlace, now = Date.now()): boolean {
    const s = this.stopAt;
    const reached = s !== null && (next.index > s.index || (next.index === s.index && next.sentence >= s.sentence));
    const fire = (this.deadline !== null && now >= this.deadline) || reached;
    if (fire) this.set({ kind: 'off' }, { index: 0, sentence: 0 });
    return fire;
  }
}
