// Programs the tests need from outside npm (Chromium for the browser test, the
// `espeak-ng` and `flite` command lines for the bring-your-own-engine example):
// use one that is already there, else install Debian's package when running as
// root, else say clearly what is missing. Each step is logged, so a test run
// says what it did to the machine.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Found = { path: string; how: 'found' | 'installed' };

const log = (msg: string): void => {
  process.stderr.write(`[system-deps] ${msg}\n`);
};

/** The first executable called `name` on PATH, or null. */
export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
const hasAptGet = (): boolean => onPath('apt-get') !== null;

/** Runs a command, retrying a few times: another apt run may hold a lock the timeout option does not cover. */
function run(command: string, args: string[], attempts = 4): void {
  for (let i = 1; ; i++) {
    log(`running: ${command} ${args.join(' ')}`);
    const r = spawnSync(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 15 * 60_000,
    });
    if (r.status === 0) return;
    const why = `${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal ?? r.error?.message})`;
    if (i >= attempts) throw new Error(why);
    log(`${why}; trying again in 15 s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 15_000);
  }
}

let aptUpdated = false;
/**
 * `apt-get install -y --no-install-recommends <packages>` (after one `apt-get update`).
 * Waits for another apt/dpkg run to let go of its lock instead of failing at once.
 */
function aptInstall(packages: string[]): void {
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  if (!aptUpdated) {
    run('apt-get', [...lock, 'update', '-qq']);
    aptUpdated = true;
  }
  run('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

/** Why a package cannot be installed here, or null if it can. */
function cannotInstall(): string | null {
  if (!hasAptGet()) return 'this machine has no apt-get';
  if (!isRoot()) return 'installing a Debian package needs root';
  return null;
}

/**
 * A command-line program from Debian: `program` on PATH, else `apt-get install <pkg>`.
 * Returns null (with the reason logged) only when it truly cannot be had.
 */
export function ensureDebianProgram(program: string, pkg = program): Found | { missing: string } {
  const existing = onPath(program);
  if (existing) {
    log(`${program}: using ${existing}`);
    return { path: existing, how: 'found' };
  }
  const why = cannotInstall();
  if (why) {
    const missing = `${program} is not installed and ${why}: run \`apt-get install -y ${pkg}\``;
    log(missing);
    return { missing };
  }
  log(`${program}: not found; installing Debian package ${pkg}`);
  aptInstall([pkg]);
  const installed = onPath(program);
  if (!installed) throw new Error(`apt-get installed ${pkg} but ${program} is still not on PATH`);
  log(`${program}: installed ${installed}`);
  return { path: installed, how: 'installed' };
}

/** Where a Chromium or Chrome already is: the environment, the usual binaries, then Playwright's cache. */
async function existingChromium(): Promise<{ path: string; source: string } | null> {
  for (const name of ['CHROMIUM_PATH', 'CHROME_PATH']) {
    const p = process.env[name];
    if (!p) continue;
    if (existsSync(p)) return { path: p, source: `$${name}` };
    log(`$${name} is set to ${p}, which does not exist; looking elsewhere`);
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome']) {
    const p = onPath(name);
    if (p) return { path: p, source: 'PATH' };
  }
  try {
    const { chromium } = await import('playwright-core');
    const p = chromium.executablePath();
    if (p && existsSync(p)) return { path: p, source: "Playwright's browser cache" };
  } catch {
    // no Playwright browser registry entry for this platform
  }
  return null;
}

/** A Chromium to drive: an existing one, else Debian's `chromium` package; throws with the reason otherwise. */
export async function ensureChromium(): Promise<Found> {
  const existing = await existingChromium();
  if (existing) {
    log(`chromium: using ${existing.path} (from ${existing.source})`);
    return { path: existing.path, how: 'found' };
  }
  const why = cannotInstall();
  if (why) {
    throw new Error(
      `no Chromium or Chrome found (CHROMIUM_PATH, CHROME_PATH, chromium/google-chrome on PATH, Playwright's cache) and ${why}: ` +
        'install one (`apt-get install -y chromium`) or set CHROMIUM_PATH',
    );
  }
  log('chromium: none found; installing Debian package chromium');
  aptInstall(['chromium']);
  const p = onPath('chromium');
  if (!p) throw new Error('apt-get installed chromium but no chromium is on PATH');
  log(`chromium: installed ${p}`);
  return { path: p, how: 'installed' };
}
