// Stacks shared by the e2e files, one per configuration below, each started in
// the main vitest process the first time a file asks for it (a run of only
// chaos.test.ts starts none) and stopped when the run ends. Files reach them
// through a small control server on 127.0.0.1 (test/support/shared-stack.ts).
// Each synthesis service sits behind a counting proxy (no faults), so a file
// can count the synthesis requests of its own jobs while other files use it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, startStack, type Stack, type StackOptions } from '../../scripts/stack/stack.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Control server of the shared stacks: `GET /stack/<name>` starts one once and answers its URLs. */
    sharedStackControl: string;
  }
}

/** API keys of the `keyed` stack, one pair per file, so no file sees another's jobs. */
export const SHARED_KEYS = {
  library: { alice: 'lib-alice-key-31c9', bob: 'lib-bob-key-8e02' },
  feeds: { alice: 'feed-alice-key-5b21', bob: 'feed-bob-key-9c47' },
} as const;

/** The shared configurations. Files needing anything else (faults, limits, providers, tokens) start their own stack. */
export const SHARED_STACKS = {
  /**
   * The defaults, but for a 300 ms SSE heartbeat (default 15 s), so sse.test.ts
   * can see one; clients skip comment lines.
   */
  default: { orchestratorVars: { SSE_HEARTBEAT_MS: '300' } },
  /** API keys on, with room for a file's jobs at once (default 5 per key). */
  keyed: {
    orchestratorVars: {
      LECTOR_API_KEYS: Object.entries(SHARED_KEYS)
        .flatMap(([file, keys]) => Object.entries(keys).map(([who, key]) => `${file}-${who}=${key}`))
        .join(','),
      KEY_MAX_CONCURRENT_JOBS: '20',
    },
  },
} satisfies Record<string, Pick<StackOptions, 'orchestratorVars'>>;

export type SharedStackName = keyof typeof SHARED_STACKS;

export interface SharedStackUrls {
  edgeUrl: string;
  /** The synthesis service itself. */
  synthUrl: string;
  /** The counting proxy between the backend Worker and the service (`GET /__counts`). */
  proxyUrl: string;
}

export interface SharedStackControl {
  url: string;
  close(): Promise<void>;
}

interface Running {
  stack: Stack;
  proxy: FaultProxy;
}

async function start(name: SharedStackName): Promise<Running> {
  const synthPort = await freePort();
  const proxy = await startFaultProxy(`http://127.0.0.1:${synthPort}`);
  try {
    const stack = await startStack({ synthPort, orchestratorVars: SHARED_STACKS[name].orchestratorVars, backendVars: { SYNTH_URL: proxy.url } });
    return { stack, proxy };
  } catch (e) {
    await proxy.close();
    throw e;
  }
}

export async function startSharedStackControl(): Promise<SharedStackControl> {
  const running = new Map<SharedStackName, Promise<Running>>();
  const server: Server = createServer((req, res) => {
    const name = /^\/stack\/(\w+)$/.exec(req.url ?? '')?.[1];
    if (!name || !Object.hasOwn(SHARED_STACKS, name)) return void res.writeHead(404).end(`no shared stack ${req.url}`);
    const key = name as SharedStackName;
    if (!running.has(key)) running.set(key, start(key));
    running.get(key)!.then(
      ({ stack, proxy }) => {
        const urls: SharedStackUrls = { edgeUrl: stack.edgeUrl, synthUrl: stack.synthUrl, proxyUrl: proxy.url };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(urls));
      },
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`the shared ${name} stack did not start: ${e instanceof Error ? e.message : String(e)}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(
        [...running.values()].map(async (p) => {
          const r = await p.catch(() => undefined);
          if (r) await Promise.all([r.stack.stop(), r.proxy.close()]);
        }),
      );
    },
  };
}
