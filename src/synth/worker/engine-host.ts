// The engines one worker process hosts, loaded on demand, addressed by the
// engine prefix of a voice id. An engine whose voices are known without
// loading it (Flite's are compiled in) is listed without being loaded, so a
// worker only holds the engines its requests use.

import { EngineError, type EngineAudio, type SpeechEngine } from '../engines/engine.ts';
import type { CatalogVoice } from '../voices.ts';

export type EngineLoader = () => Promise<SpeechEngine>;

/** A loader, or a loader with the engine's voice list when that is known before loading. */
export type EngineSource = EngineLoader | { load: EngineLoader; voices: () => CatalogVoice[] };

/** Per-request options from the synthesis request, passed on to the engine. */
export interface HostSynthesisOptions {
  speed?: number;
}

export class EngineHost {
  private readonly loaders: Map<string, EngineLoader>;
  private readonly staticVoices = new Map<string, () => CatalogVoice[]>();
  private readonly loaded = new Map<string, Promise<SpeechEngine>>();
  private readonly usedVoices = new Set<string>();

  constructor(sources: Record<string, EngineSource>) {
    this.loaders = new Map();
    for (const [id, source] of Object.entries(sources)) {
      if (typeof source === 'function') {
        this.loaders.set(id, source);
      } else {
        this.loaders.set(id, source.load);
        this.staticVoices.set(id, source.voices);
      }
    }
  }

  get engineIds(): string[] {
    return [...this.loaders.keys()];
  }

  engine(id: string): Promise<SpeechEngine> {
    let p = this.loaded.get(id);
    if (!p) {
      const loader = this.loaders.get(id);
      if (!loader) return Promise.reject(new EngineError('unknown_voice', `this worker has no engine ${id}`));
      p = loader();
      this.loaded.set(id, p);
      // A failed load may be retried later.
      p.catch(() => this.loaded.delete(id));
    }
    return p;
  }

  /** Loads engines (`espeak`) or voices (`flite:slt`) ahead of requests. */
  async preload(models: readonly string[]): Promise<void> {
    for (const m of models) {
      const engineId = m.split(':')[0]!;
      await this.engine(engineId);
      if (m.includes(':') && !m.endsWith(':*')) this.usedVoices.add(m);
    }
  }

  async voices(): Promise<CatalogVoice[]> {
    const all: CatalogVoice[] = [];
    for (const id of this.loaders.keys()) {
      const listed = this.staticVoices.get(id);
      all.push(...(listed && !this.loaded.has(id) ? listed() : (await this.engine(id)).voices()));
    }
    return all;
  }

  /** Loaded engines as `engine:*` plus voices used or preloaded. */
  models(): string[] {
    return [...[...this.loaded.keys()].map((e) => `${e}:*`), ...this.usedVoices];
  }

  /** `options.speed`: rate multiplier 0.25-4.0, absent = the engine's default (1). */
  async synthesize(text: string, voiceId: string, options: HostSynthesisOptions = {}): Promise<EngineAudio & { engine: string }> {
    const engineId = voiceId.split(':')[0]!;
    const engine = await this.engine(engineId);
    const out = await engine.synthesizeParts(text, voiceId, options.speed ?? 1);
    this.usedVoices.add(voiceId);
    return { ...out, engine: engine.id };
  }
}
