// Starts the HTTP service in this process: a TTSManager plus the Hono app on
// a Node HTTP server. Refuses to listen beyond loopback without a token.

import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { TTSManagerOptions } from './config.ts';
import { createSynthApp, type SynthAppOptions } from './http/app.ts';
import { TTSManager, type TTSManagerDeps } from './manager.ts';

export interface SynthServerOptions extends SynthAppOptions {
  /** Port (default 5002; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Pool configuration. */
  manager?: TTSManagerOptions;
  /** Use an existing, initialized manager instead (it is shut down by `close()`). */
  managerInstance?: TTSManager;
  deps?: TTSManagerDeps;
}

export interface SynthServer {
  url: string;
  port: number;
  manager: TTSManager;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 5002;
export const DEFAULT_HOST = '127.0.0.1';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export async function startSynthServer(options: SynthServerOptions = {}): Promise<SynthServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`invalid port ${port}`);
  if (!isLoopback(host) && !options.token) {
    throw new TypeError(`refusing to listen on ${host} without a token: set LECTOR_SYNTH_TOKEN (or bind 127.0.0.1)`);
  }
  const manager = options.managerInstance ?? new TTSManager(options.manager, options.deps);
  if (!options.managerInstance) await manager.initialize();
  const app = createSynthApp(manager, { log: options.deps?.log, ...options });
  let server: ServerType;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port, hostname: host }, (info) => resolve(info));
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    await manager.shutdown();
    throw error;
  });
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    manager,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets would hold close() open.
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await manager.shutdown();
      })();
      return closing;
    },
  };
}
