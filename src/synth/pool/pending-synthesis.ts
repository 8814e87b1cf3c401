// A synthesis request the service accepted and has not answered yet: what it
// asks for, where it stands (attempts, workers tried), and how to answer.

import type { Priority, SynthesisResult } from '../types.ts';
import type { CatalogVoice } from '../voices.ts';

export interface PendingSynthesis {
  id: string;
  correlationId: string;
  text: string;
  voice: CatalogVoice;
  /** Speaking rate multiplier, 0.25-4.0; absent = the engine's default rate. */
  speed?: number;
  priority: Priority;
  submittedAt: number;
  enqueuedAt: number;
  attempts: number;
  retries: number;
  /** Workers already tried (a retry prefers another one). */
  exclude: Set<string>;
  resolve: (r: SynthesisResult) => void;
  reject: (e: Error) => void;
  done: boolean;
  /** Queue timeout. */
  timer: ReturnType<typeof setTimeout> | undefined;
  signal?: AbortSignal;
  onAbort?: () => void;
}
