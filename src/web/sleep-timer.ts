// The sleep timer: pause after some minutes, or at the end of the chapter
// (without chapters: the end of the sentence being read). Checked on every
// render tick, which runs in the background too (a 250 ms timer while hidden).

export type SleepSetting = { kind: 'off' } | { kind: 'minutes'; minutes: number } | { kind: 'chapter' };

export class SleepTimer {
  private deadline: number | null = null;
  /** Pause once playback reaches this chunk index. */
  private stopAtChunk: number | null = null;
  private setting: SleepSetting = { kind: 'off' };

  get active(): boolean {
    return this.setting.kind !== 'off';
  }

  /** `endChunk`: first chunk after the current chapter (needed for `chapter`). */
  set(setting: SleepSetting, endChunk: number, now = Date.now()): void {
    this.setting = setting;
    this.deadline = setting.kind === 'minutes' ? now + setting.minutes * 60_000 : null;
    this.stopAtChunk = setting.kind === 'chapter' ? endChunk : null;
  }

  /** Milliseconds left, or null without a minutes timer. */
  remainingMs(now = Date.now()): number | null {
    return this.deadline === null ? null : Math.max(0, this.deadline - now);
  }

  /** Where the end-of-chapter timer stops, or null. */
  get stopChunk(): number | null {
    return this.stopAtChunk;
  }

  /** True once when it is time to pause (then the timer is off). */
  due(nextIndex: number, now = Date.now()): boolean {
    const fire = (this.deadline !== null && now >= this.deadline) || (this.stopAtChunk !== null && nextIndex >= this.stopAtChunk);
    if (fire) this.set({ kind: 'off' }, 0);
    return fire;
  }
}
