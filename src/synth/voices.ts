// Voice catalog and name resolution: exact ids, bare eSpeak languages, aliases
// and OpenAI's voice names. Pure; used by the manager and the reference helper.

import type { VoiceDescriptor } from './types.ts';

/** A catalog entry: the public descriptor plus the other names it answers to. */
export interface CatalogVoice extends VoiceDescriptor {
  /** Lower-case alternative names, e.g. `en`, `gmw/en-us`. */
  aliases: string[];
}

/**
 * OpenAI voice names mapped to Lector voices; each falls back to `espeak:en-us`
 * when its first choice is not in the catalog.
 */
export const OPENAI_VOICE_MAP: Readonly<Record<string, readonly string[]>> = {
  alloy: ['espeak:en-us'],
  ash: ['espeak:en-us-nyc'],
  ballad: ['espeak:en-gb-scotland'],
  coral: ['flite:slt'],
  echo: ['flite:rms'],
  fable: ['espeak:en-gb-x-rp'],
  nova: ['flite:slt'],
  onyx: ['flite:awb'],
  sage: ['espeak:en-gb'],
  shimmer: ['flite:kal16'],
  verse: ['espeak:en-029'],
};

export const DEFAULT_VOICE_ID = 'espeak:en-us';

export function publicVoice(v: VoiceDescriptor): VoiceDescriptor {
  return { id: v.id, engine: v.engine, language: v.language, name: v.name, sampleRate: v.sampleRate };
}

export class VoiceCatalog {
  private readonly byId = new Map<string, CatalogVoice>();
  private readonly byAlias = new Map<string, CatalogVoice>();

  constructor(voices: Iterable<CatalogVoice> = []) {
    for (const v of voices) this.add(v);
  }

  /** Adds a voice; first one wins for a shared id or alias. */
  add(v: CatalogVoice): void {
    if (this.byId.has(v.id)) return;
    this.byId.set(v.id, v);
    for (const a of v.aliases) if (!this.byAlias.has(a)) this.byAlias.set(a, v);
  }

  get size(): number {
    return this.byId.size;
  }

  list(): CatalogVoice[] {
    return [...this.byId.values()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Resolves a requested voice name, or null when nothing matches. */
  resolve(requested: string): CatalogVoice | null {
    const name = requested.trim();
    const exact = this.byId.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    const exactLower = this.byId.get(lower);
    if (exactLower) return exactLower;
    const openai = OPENAI_VOICE_MAP[lower];
    if (openai) {
      for (const id of openai) {
        const v = this.byId.get(id);
        if (v) return v;
      }
      return this.byId.get(DEFAULT_VOICE_ID) ?? this.list()[0] ?? null;
    }
    return this.byId.get(`espeak:${lower}`) ?? this.byAlias.get(lower) ?? this.byAlias.get(lower.replace(/^espeak:/, '')) ?? null;
  }

  /** A few valid ids for error messages. */
  examples(n = 8): string[] {
    const preferred = ['espeak:en-us', 'espeak:en-gb', 'espeak:fr-fr', 'espeak:de', 'flite:slt', 'flite:kal16', 'alloy'];
    const out = preferred.filter((id) => id === 'alloy' || this.byId.has(id));
    for (const id of this.byId.keys()) {
      if (out.length >= n) break;
      if (!out.includes(id)) out.push(id);
    }
    return out.slice(0, n);
  }
}
