// CLI entry of the synthesis service:
//   node src/synth/main.ts [--port 5002] [--host 127.0.0.1] [--min-workers 1] [--max-workers N]
//     [--strategy weighted|round-robin|least-connections|model-affinity] [--engines espeak,flite]
//     [--queue-size 1000] [--max-input-chars 16384] [--config pool.json]
// --config names a JSON file of TTSManagerOptions (worker templates, breaker, health...); flags win over it.
// Each flag has an environment twin (LECTOR_SYNTH_PORT, LECTOR_SYNTH_HOST, LECTOR_SYNTH_MIN_WORKERS, ...).
// The token comes only from the environment: LECTOR_SYNTH_TOKEN.
// Prints exactly one stdout line once listening: `lector-synth listening on http://HOST:PORT`.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TTSManagerOptions } from './config.ts';
import { BALANCING_STRATEGIES, type BalancingStrategy } from './pool/balancer.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startSynthServer } from './server.ts';

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'min-workers': { type: 'string' },
      'max-workers': { type: 'string' },
      strategy: { type: 'string' },
      engines: { type: 'string' },
      'queue-size': { type: 'string' },
      'max-input-chars': { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const env = process.env;
  const port = intOption('port', values.port ?? env.LECTOR_SYNTH_PORT) ?? DEFAULT_PORT;
  const host = values.host ?? env.LECTOR_SYNTH_HOST ?? DEFAULT_HOST;
  const token = env.LECTOR_SYNTH_TOKEN || undefined;
  const strategy = values.strategy ?? env.LECTOR_SYNTH_STRATEGY;
  if (strategy !== undefined && !BALANCING_STRATEGIES.includes(strategy as BalancingStrategy)) {
    throw new TypeError(`--strategy must be one of ${BALANCING_STRATEGIES.join(', ')}`);
  }
  const engines = (values.engines ?? env.LECTOR_SYNTH_ENGINES)?.split(',').map((s) => s.trim()).filter(Boolean);
  const minWorkers = intOption('min-workers', values['min-workers'] ?? env.LECTOR_SYNTH_MIN_WORKERS);
  const maxWorkers = intOption('max-workers', values['max-workers'] ?? env.LECTOR_SYNTH_MAX_WORKERS);
  const queueSize = intOption('queue-size', values['queue-size'] ?? env.LECTOR_SYNTH_QUEUE_SIZE);
  const maxInputChars = intOption('max-input-chars', values['max-input-chars'] ?? env.LECTOR_SYNTH_MAX_INPUT_CHARS);

  const configPath = values.config ?? env.LECTOR_SYNTH_CONFIG;
  const fileOptions = configPath ? (JSON.parse(readFileSync(configPath, 'utf8')) as TTSManagerOptions) : {};
  const manager: TTSManagerOptions = {
    ...fileOptions,
    workerPool: {
      ...fileOptions.workerPool,
      ...(minWorkers !== undefined ? { minWorkers } : {}),
      ...(maxWorkers !== undefined ? { maxWorkers } : {}),
    },
    ...(strategy ? { loadBalancing: { strategy: strategy as BalancingStrategy } } : {}),
    ...(engines ? { engines } : {}),
    ...(queueSize !== undefined ? { queue: { maxSize: queueSize } } : {}),
  };
  const server = await startSynthServer({ port, host, token, manager, ...(maxInputChars !== undefined ? { maxInputChars } : {}) });
  process.stdout.write(`lector-synth listening on ${server.url}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`lector-synth: ${signal}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`lector-synth: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`lector-synth: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
