// CPU profiles of workerd's Worker isolates through workerd's own V8 inspector
// (the DevTools protocol; both edge runners start workerd with --inspector-addr).
// The Tail Worker's `cpuTime` is 0 locally, so this is how the bench sees what
// one Worker or Durable Object invocation costs.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface InspectorTarget {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

/** A V8 CPU profile (Profiler.stop's `profile`). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One DevTools-protocol session with one isolate. */
export class InspectorSession {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { needsResult: boolean; resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (ev) => {
      // workerd sends its answers as binary frames.
      const data = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
      const msg = JSON.parse(data) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return; // events (console, scripts parsed): not needed
      const p = this.pending.get(msg.id);
      if (!p) return;
      // workerd may echo a request (its id and method, no result) before it answers.
      if (p.needsResult && !('result' in msg || 'error' in msg)) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  /** `origin`: wrangler's inspector proxy refuses a connection without an allowed Origin. */
  static async open(url: string, origin?: string, timeoutMs = 15_000): Promise<InspectorSession> {
    // Node's WebSocket (undici) takes headers in its second argument.
    const ws = origin ? new WebSocket(url, { headers: { origin } } as unknown as string[]) : new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector ${url}: no connection within ${timeoutMs} ms`)), timeoutMs);
      ws.addEventListener('open', () => (clearTimeout(timer), resolve()), { once: true });
      ws.addEventListener('error', () => (clearTimeout(timer), reject(new Error(`inspector ${url}: connection failed`))), { once: true });
    });
    return new InspectorSession(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}, needsResult = false, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => (this.pending.delete(id), reject(new Error(`inspector: ${method} got no answer within ${timeoutMs} ms`))), timeoutMs);
      this.pending.set(id, {
        needsResult,
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Starts sampling every `intervalUs` microseconds. */
  async startProfile(intervalUs = 200): Promise<void> {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.send('Profiler.start');
  }

  async stopProfile(): Promise<CpuProfile> {
    return (await this.send<{ profile: CpuProfile }>('Profiler.stop', {}, true)).profile;
  }

  close(): void {
    this.ws.close();
  }
}

/** TCP ports process `pid` listens on (from /proc/<pid>/fd and /proc/net/tcp). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // the descriptor closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1] ("0100007F:9C41"), st is f[3] (0A = LISTEN), inode is f[9].
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/**
 * The Worker isolates of workerd's own inspector (`core:user:<worker>` targets,
 * every Worker of the session, Durable Objects inside their Worker's isolate).
 * The bench finds the workerd process started with `--inspector-addr` and asks
 * each port it listens on for /json. workerd takes one session per isolate.
 * Under wrangler dev, wrangler's inspector proxy holds the first Worker's:
 * reach that one through the proxy (`wranglerProxyUrl`). The Miniflare runner
 * runs no proxy, so every target is free.
 */
export async function workerdTargets(pids: readonly { pid: number; cmdline: string }[]): Promise<InspectorTarget[]> {
  for (const p of pids) {
    if (!p.cmdline.includes('--inspector-addr')) continue;
    for (const port of listeningPorts(p.pid)) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(3000) });
        const list = (await res.json()) as { id: string; title?: string }[];
        if (!Array.isArray(list) || !list.some((t) => t.id?.startsWith('core:user:'))) continue;
        return list
          .filter((t) => t.id.startsWith('core:user:'))
          .map((t) => ({ id: t.id, title: t.id.slice('core:user:'.length), webSocketDebuggerUrl: `ws://127.0.0.1:${port}/${t.id}` }));
      } catch {
        // not the inspector (the entry socket or the debug port)
      }
    }
  }
  throw new Error('no workerd process with an inspector answered /json');
}

/**
 * wrangler dev's inspector proxy (`--inspector-port`): the first Worker of the
 * session, i.e. the orchestrator. Undefined without wrangler (the Miniflare runner).
 */
export function wranglerProxyUrl(pids: readonly { cmdline: string }[]): string | undefined {
  const port = pids.map((p) => /wrangler.*--inspector-port[= ](\d+)/.exec(p.cmdline)?.[1]).find(Boolean);
  return port ? `ws://127.0.0.1:${port}/ws` : undefined;
}
