// Ctrl-C handling: the first SIGINT aborts the running command through an
// AbortSignal (so it can say how to resume); a second one exits at once.

export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}

export interface InterruptTrap {
  signal: AbortSignal;
  dispose(): void;
}

export function trapInterrupt(stderr: NodeJS.WritableStream = process.stderr): InterruptTrap {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      stderr.write('\nlector: interrupted twice, exiting now\n');
      process.exit(130);
    }
    controller.abort(new Interrupted());
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => void process.off('SIGINT', onSigint) };
}
