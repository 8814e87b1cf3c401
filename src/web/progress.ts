// The progress bar: how much of the job is synthesized and how much has been
// heard, as two layers of one track (and two progressbar roles for assistive
// technology).
import { setData, setText } from './dom.ts';

export interface ProgressFigures {
  total: number;
  synthesized: number;
  failed: number;
  /** Share of the job heard, 0..1. */
  playedFraction: number;
  /** Chunk being heard (0-based), for the "n of N" label. */
  playingIndex: number;
}

export class ProgressView {
  private readonly root: HTMLElement;
  private readonly synthBar: HTMLElement;
  private readonly playedBar: HTMLElement;
  private readonly synthLabel: HTMLElement;
  private readonly playedLabel: HTMLElement;

  constructor(root: HTMLElement) {
    this.root = root;
    const part = (sel: string): HTMLElement => {
      const el = root.querySelector<HTMLElement>(sel);
      if (!el) throw new Error(`progress markup: ${sel} missing`);
      return el;
    };
    this.synthBar = part('.bar-synth');
    this.playedBar = part('.bar-played');
    this.synthLabel = part('.label-synth');
    this.playedLabel = part('.label-played');
  }

  update(f: ProgressFigures): void {
    const synthPct = f.total > 0 ? Math.round((f.synthesized / f.total) * 100) : 0;
    const playedPct = Math.round(f.playedFraction * 1000) / 10;
    setWidth(this.synthBar, `${synthPct}%`);
    setWidth(this.playedBar, `${playedPct}%`);
    setAria(this.synthBar, synthPct, `${f.synthesized} of ${f.total} synthesized`);
    setAria(this.playedBar, Math.round(playedPct), `${Math.round(playedPct)}% played`);
    setText(this.synthLabel, `${f.synthesized} of ${f.total}${f.failed ? ` (${f.failed} failed)` : ''}`);
    setText(this.playedLabel, f.total > 0 ? `${Math.min(f.total, f.playingIndex + 1)} of ${f.total}` : '0 of 0');
    setData(this.root, 'synthPercent', synthPct);
    setData(this.root, 'playedPercent', playedPct);
  }
}

function setWidth(el: HTMLElement, width: string): void {
  if (el.style.inlineSize !== width) el.style.inlineSize = width;
}

function setAria(el: HTMLElement, value: number, text: string): void {
  if (el.getAttribute('aria-valuenow') !== String(value)) el.setAttribute('aria-valuenow', String(value));
  if (el.getAttribute('aria-valuetext') !== text) el.setAttribute('aria-valuetext', text);
}
