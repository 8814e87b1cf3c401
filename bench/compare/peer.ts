// The peer in the comparison: Echogarden (https://echogarden.io) synthesizing
// with its eSpeak NG engine. It is large (onnxruntime, AWS and Azure SDKs...),
// so it is not a dependency of Lector: the first comparison run installs it
// into bench/compare/.peer/ (gitignored) with its own package.json, and runs it
// offline in a child process whose HOME is bench/compare/.peer/home, where its
// eSpeak package folder is filled from Lector's own copy of the same
// @echogarden/espeak-ng-emscripten build (Echogarden would download it).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/stack/stack.ts';

export const PEER_VERSION = '3.4.0';
export const PEER_DIR = join(REPO_ROOT, 'bench/compare/.peer');
const PEER_HOME = join(PEER_DIR, 'home');
const PEER_PACKAGE = join(PEER_DIR, 'node_modules/echogarden');
const ESPEAK_SOURCE = join(REPO_ROOT, 'node_modules/@echogarden/espeak-ng-emscripten');

/** What the child prints on its last stdout line. */
export interface PeerRun {
  /** synthesize() called → resolved with the whole audio. */
  totalMs: number;
  /** synthesize() called → first `onSentence` callback (its first sentence's audio). */
  firstSentenceMs: number;
  sentences: number;
  audioSeconds: number;
  /** The eSpeak voice Echogarden picked. */
  voice: string;
  /** CPU time of the child during the timed call (user + system). */
  cpuMs: number;
  /** Peak RSS of the child process (bytes). */
  peakRssBytes: number;
}

export type PeerReady = { ok: true; version: string; espeakFolder: string } | { ok: false; reason: string };

/** Installs Echogarden on first use and lays out its eSpeak package for offline use. Never throws. */
export function ensurePeer(log: (line: string) => void = (l) => console.error(l)): PeerReady {
  try {
    if (!isInstalled()) {
      log(`compare: installing echogarden@${PEER_VERSION} into ${PEER_DIR} (first run only)...`);
      mkdirSync(PEER_DIR, { recursive: true });
      writeFileSync(
        join(PEER_DIR, 'package.json'),
        `${JSON.stringify({ name: 'lector-bench-peer', private: true, type: 'module', dependencies: { echogarden: PEER_VERSION } }, null, 2)}\n`,
      );
      const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: PEER_DIR,
        env: { ...process.env, ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' },
        encoding: 'utf8',
        timeout: 15 * 60_000,
      });
      if (r.error) return { ok: false, reason: `npm install could not run: ${r.error.message}` };
      if (r.status !== 0 || !isInstalled()) return { ok: false, reason: `npm install echogarden failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(-1500)}` };
    }
    const version = (JSON.parse(readFileSync(join(PEER_PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;
    // Echogarden loads eSpeak from <data dir>/packages/espeak-ng-emscripten-<tag>/, the tag pinned in its PackageManager.
    const manager = readFileSync(join(PEER_PACKAGE, 'dist/utilities/PackageManager.js'), 'utf8');
    const tag = /'espeak-ng-emscripten':\s*'(\d{8}(?:_\d+)?)'/.exec(manager)?.[1];
    if (!tag) return { ok: false, reason: `echogarden ${version}: no espeak-ng-emscripten version tag in dist/utilities/PackageManager.js` };
    const folder = join(PEER_HOME, '.local/share/echogarden/packages', `espeak-ng-emscripten-${tag}`);
    mkdirSync(folder, { recursive: true });
    for (const file of ['espeak-ng.js', 'espeak-ng.data']) {
      if (!existsSync(join(folder, file))) copyFileSync(join(ESPEAK_SOURCE, file), join(folder, file));
    }
    return { ok: true, version, espeakFolder: folder };
  } catch (e) {
    return { ok: false, reason: `preparing echogarden failed: ${String(e)}` };
  }
}

function isInstalled(): boolean {
  try {
    return (JSON.parse(readFileSync(join(PEER_PACKAGE, 'package.json'), 'utf8')) as { version?: string }).version === PEER_VERSION;
  } catch {
    return false; // not installed yet (or a broken install, which npm install repairs)
  }
}

/** Runs Echogarden on `text` in a child process (after a warm-up sentence) and returns its timings. */
export async function runPeer(text: string, timeoutMs = 30 * 60_000): Promise<PeerRun> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bench/compare/peer-child.ts'), PEER_PACKAGE], {
    cwd: PEER_DIR,
    env: { ...process.env, HOME: PEER_HOME },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end(text);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`echogarden child exited ${code}: ${err.trim().slice(-1500)}`);
  return JSON.parse(last) as PeerRun;
}
