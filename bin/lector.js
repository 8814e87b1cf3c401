#!/usr/bin/env node
// `lector` launcher. The CLI is TypeScript run by Node 24's type stripping;
// the machine's node may be older, so this re-runs src/cli/main.ts under the
// Node 24 pinned in node_modules (or the current node if it is already 24+).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'src/cli/main.ts');
const major = Number(process.versions.node.split('.')[0]);
const pinned = join(root, 'node_modules/node/bin/node');
const node = major >= 24 ? process.execPath : existsSync(pinned) ? pinned : undefined;
if (!node) {
  process.stderr.write(`lector: needs Node 24 or newer (this is ${process.version}); run \`npm install\` in ${root} to get the pinned one\n`);
  process.exit(1);
}

const child = spawn(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the whole foreground process group, the child included: let
// the child handle it (it prints how to resume) and exit with its code.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (sig !== 'SIGINT') child.kill(sig);
  });
}
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
child.on('error', (e) => {
  process.stderr.write(`lector: cannot start ${node}: ${e.message}\n`);
  process.exit(1);
});
