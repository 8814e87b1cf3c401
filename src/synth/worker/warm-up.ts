// Idle-time JIT warm-up of a fresh engine worker. eSpeak is a wasm2js build:
// plain JavaScript that V8 tiers up (Sparkplug → Maglev → TurboFan) as it runs,
// recompiling its largest function several times as new text exercises new
// paths. A cold worker therefore spends about twice the engine's CPU on its
// first ~50,000 characters. This synthesizes varied passages while the worker
// has nothing else to do, one passage per step, so that cost is paid before
// the first job instead of during it; a request waits at most one step.
// Output never depends on it: every synthesis starts from the heap snapshot.

/** Characters (warm-up plus real requests) after which the worker counts as warm. */
export const DEFAULT_WARM_UP_CHARS = 12_000;

/**
 * Passages of the kinds of text books hold: narration, dialogue and quotes,
 * numbers, dates and money, abbreviations, lists, dashes and semicolons, and a
 * blank line (a paragraph pause inside a chunk).
 */
export const WARM_UP_PASSAGES: readonly string[] = [
  'The morning was grey and still when the carriage finally reached the village; nobody had expected it before noon.',
  '"Are you quite certain?" she asked, setting down her cup. "I had thought, from your letter, that you meant to stay until Thursday."',
  'He counted the coins twice: 12 shillings, 6 pence, and a small silver piece worth perhaps £3 in 1843, or about $14.50 today.',
  'Dr. Holloway and Mrs. Green arrived at 7:45 p.m. on the 21st of March, exactly as the telegram had promised.\n\nThe house, however, was dark.',
  'There were three reasons for the delay — the weather, the road, and, above all, the stubbornness of the driver — and none of them was new.',
  "It wasn't that she disliked him; it was simply that she couldn't imagine what they'd talk about for an entire evening, let alone a lifetime.",
  'Chapter IV. In which the accounts are settled, the garden is sold, and the youngest daughter, against every expectation, refuses a proposal.',
  'The list was short: bread, two pounds of flour, candles, a bottle of ink, and — underlined twice — "something for Mother\'s headache."',
  'Forty-two years, eleven months and six days after the fire, the old mill was rebuilt on the very same spot, 300 yards from the river.',
  '"Nonsense!" cried the colonel. "Utter, complete, unmitigated nonsense. I never said any such thing, and I will thank you not to repeat it."',
  'Wind rattled the shutters all night. By dawn the snow lay knee-deep across the lane, and the whole parish seemed to have fallen silent.',
  'Why should anyone believe it? Because, she wrote, the evidence was there for all to see: in the ledgers, in the letters, in the very walls.',
  'The experiment was repeated in 1905, 1911 and again in 1927; each time the result differed by less than 0.3 per cent from the first.',
  'Mr. Darby bowed, Miss Leigh curtsied, and for a long moment neither could think of a single sensible thing to say.\n\nThen the music began.',
  'They walked on in silence past the church, the inn, the blacksmith\'s forge and the long row of cottages, until the path turned uphill.',
  'Ships from Lisbon, Genoa and Rotterdam crowded the harbour; their cargoes of wine, silk, timber and salted fish filled every warehouse.',
];

export interface WarmUpHooks {
  /** Synthesizes one passage (synchronously in the engine; resolves when done). */
  synthesize: (text: string) => Promise<void>;
  /** True while a request is waiting or being served: warm-up steps only run when idle. */
  busy: () => boolean;
  log?: (line: string) => void;
}

export class IdleWarmUp {
  private readonly hooks: WarmUpHooks;
  private readonly budget: number;
  private done = 0;
  private next = 0;
  private scheduled: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(hooks: WarmUpHooks, budgetChars = DEFAULT_WARM_UP_CHARS) {
    this.hooks = hooks;
    this.budget = budgetChars;
  }

  get finished(): boolean {
    return this.done >= this.budget;
  }

  /** Counts characters a real request synthesized (they warm the engine too). */
  served(chars: number): void {
    this.done += chars;
  }

  /** Schedules the next step if warm-up is not finished (call at start and after each request). */
  kick(): void {
    if (this.finished || this.scheduled || this.running) return;
    // A timer, not setImmediate: stdin data already read is handled first.
    this.scheduled = setTimeout(() => void this.step(), 0);
    this.scheduled.unref?.();
  }

  stop(): void {
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = undefined;
    this.done = this.budget;
  }

  private async step(): Promise<void> {
    this.scheduled = undefined;
    if (this.finished || this.hooks.busy()) return;
    const text = WARM_UP_PASSAGES[this.next++ % WARM_UP_PASSAGES.length]!;
    this.running = true;
    try {
      await this.hooks.synthesize(text);
      this.done += text.length;
    } catch (error) {
      this.hooks.log?.(`warm-up stopped: ${String(error)}`);
      this.done = this.budget;
    } finally {
      this.running = false;
    }
    this.kick();
  }
}
