// Worker and its states (seed 004): the one place a worker's state changes,
// through an explicit table of allowed transitions.

import { WorkerState } from '../types.ts';

/**
 * Every allowed change of state. Staying in the same state is not a
 * transition and is always allowed (a no-op).
 *
 * - INITIALIZING → READY: handshake answered, or driven as v1.
 * - READY ⇄ BUSY: BUSY only while the worker holds as many requests as it may.
 * - READY/BUSY → UNHEALTHY: a health check failed (a check may finish after a
 *   request started on the worker); UNHEALTHY → READY when one passes.
 * - any live state → SHUTTING_DOWN (stop, recycle, restart, scale-down).
 * - any state but TERMINATED → TERMINATED (the process exited).
 */
export const WORKER_TRANSITIONS: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  [WorkerState.INITIALIZING]: [WorkerState.READY, WorkerState.SHUTTING_DOWN, WorkerState.TERMINATED],
  [WorkerState.READY]: [WorkerState.BUSY, WorkerState.UNHEALTHY, WorkerState.SHUTTING_DOWN, WorkerState.TERMINATED],
  [WorkerState.BUSY]: [WorkerState.READY, WorkerState.UNHEALTHY, WorkerState.SHUTTING_DOWN, WorkerState.TERMINATED],
  [WorkerState.UNHEALTHY]: [WorkerState.READY, WorkerState.SHUTTING_DOWN, WorkerState.TERMINATED],
  [WorkerState.SHUTTING_DOWN]: [WorkerState.TERMINATED],
  [WorkerState.TERMINATED]: [],
};

export function canTransition(from: WorkerState, to: WorkerState): boolean {
  return from === to || WORKER_TRANSITIONS[from].includes(to);
}

/** A state change the table does not allow: a bug in the caller. */
export class IllegalWorkerTransition extends Error {
  readonly code = 'illegal_worker_transition';
  readonly from: WorkerState;
  readonly to: WorkerState;

  constructor(workerId: string, from: WorkerState, to: WorkerState) {
    super(`worker ${workerId}: illegal state transition ${from} -> ${to}`);
    this.name = 'IllegalWorkerTransition';
    this.from = from;
    this.to = to;
  }
}

export interface WorkerStateMachineOptions {
  /**
   * `throw`: an illegal transition throws IllegalWorkerTransition (tests).
   * `refuse`: it is logged and refused, the state stays (production: a worker
   * event handler must not bring the service down). Default: `throw` under
   * vitest (`VITEST` set) or `NODE_ENV=test`, else `refuse`.
   */
  onIllegal?: 'throw' | 'refuse';
  log?: (line: string) => void;
}

export function defaultIllegalPolicy(): 'throw' | 'refuse' {
  return process.env.VITEST !== undefined || process.env.NODE_ENV === 'test' ? 'throw' : 'refuse';
}

export class WorkerStateMachine {
  private current: WorkerState = WorkerState.INITIALIZING;
  private readonly workerId: string;
  private readonly onIllegal: 'throw' | 'refuse';
  private readonly log: (line: string) => void;

  constructor(workerId: string, options: WorkerStateMachineOptions = {}) {
    this.workerId = workerId;
    this.onIllegal = options.onIllegal ?? defaultIllegalPolicy();
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  get state(): WorkerState {
    return this.current;
  }

  /** Moves to `next`; returns false when the table refused it (only with `refuse`). */
  to(next: WorkerState): boolean {
    if (next === this.current) return true;
    if (!WORKER_TRANSITIONS[this.current].includes(next)) {
      const error = new IllegalWorkerTransition(this.workerId, this.current, next);
      if (this.onIllegal === 'throw') throw error;
      this.log(`[${this.workerId}] refused: ${error.message}`);
      return false;
    }
    this.current = next;
    return true;
  }
}
