// The worker-state transition table: every legal transition once, every other
// change refused (thrown under test, logged and refused in production mode).

import { describe, expect, it } from 'vitest';
import { WorkerState } from '../types.ts';
import { canTransition, IllegalWorkerTransition, WORKER_TRANSITIONS, WorkerStateMachine } from './worker-state.ts';

const STATES = Object.values(WorkerState);

/** Drives a fresh machine from INITIALIZING into `state` through legal transitions. */
function machineIn(state: WorkerState, options: ConstructorParameters<typeof WorkerStateMachine>[1] = {}): WorkerStateMachine {
  const m = new WorkerStateMachine('worker-t', options);
  const path: Record<WorkerState, WorkerState[]> = {
    INITIALIZING: [],
    READY: [WorkerState.READY],
    BUSY: [WorkerState.READY, WorkerState.BUSY],
    UNHEALTHY: [WorkerState.READY, WorkerState.UNHEALTHY],
    SHUTTING_DOWN: [WorkerState.SHUTTING_DOWN],
    TERMINATED: [WorkerState.TERMINATED],
  };
  for (const s of path[state]) m.to(s);
  expect(m.state).toBe(state);
  return m;
}

const legal = STATES.flatMap((from) => WORKER_TRANSITIONS[from].map((to) => [from, to] as const));
const illegal = STATES.flatMap((from) => STATES.filter((to) => to !== from && !WORKER_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const));

describe('worker state machine', () => {
  it('starts INITIALIZING and has the documented table', () => {
    expect(new WorkerStateMachine('w').state).toBe(WorkerState.INITIALIZING);
    // Written out, so that a change to the table is a change to this test too.
    expect(legal.map(([f, t]) => `${f}->${t}`).sort()).toEqual(
      [
        'INITIALIZING->READY',
        'INITIALIZING->SHUTTING_DOWN',
        'INITIALIZING->TERMINATED',
        'READY->BUSY',
        'READY->UNHEALTHY',
        'READY->SHUTTING_DOWN',
        'READY->TERMINATED',
        'BUSY->READY',
        'BUSY->UNHEALTHY',
        'BUSY->SHUTTING_DOWN',
        'BUSY->TERMINATED',
        'UNHEALTHY->READY',
        'UNHEALTHY->SHUTTING_DOWN',
        'UNHEALTHY->TERMINATED',
        'SHUTTING_DOWN->TERMINATED',
      ].sort(),
    );
    expect(illegal).toHaveLength(STATES.length * (STATES.length - 1) - legal.length);
  });

  it.each(legal)('allows %s -> %s', (from, to) => {
    const m = machineIn(from);
    expect(canTransition(from, to)).toBe(true);
    expect(m.to(to)).toBe(true);
    expect(m.state).toBe(to);
  });

  it.each(illegal)('refuses %s -> %s (throws under test)', (from, to) => {
    const m = machineIn(from, { onIllegal: 'throw' });
    expect(canTransition(from, to)).toBe(false);
    expect(() => m.to(to)).toThrow(IllegalWorkerTransition);
    expect(m.state).toBe(from);
  });

  it('in production mode logs and refuses an illegal transition, keeping the state', () => {
    const lines: string[] = [];
    const m = machineIn(WorkerState.SHUTTING_DOWN, { onIllegal: 'refuse', log: (l) => lines.push(l) });
    expect(m.to(WorkerState.READY)).toBe(false);
    expect(m.state).toBe(WorkerState.SHUTTING_DOWN);
    expect(lines).toEqual(['[worker-t] refused: worker worker-t: illegal state transition SHUTTING_DOWN -> READY']);
  });

  it('treats staying in the same state as a no-op, even when terminal', () => {
    for (const s of STATES) {
      const m = machineIn(s, { onIllegal: 'throw' });
      expect(m.to(s)).toBe(true);
      expect(m.state).toBe(s);
    }
  });

  it('throws by default under vitest', () => {
    expect(() => new WorkerStateMachine('w').to(WorkerState.BUSY)).toThrow(/illegal state transition INITIALIZING -> BUSY/);
  });
});
