// Runs once before the unit tests: finds or installs Debian's `espeak-ng` and
// `flite` command lines, which the bring-your-own-engine example drives
// (src/synth/pool.process.test.ts). Where they cannot be had (no root, no
// apt-get) it says why, and those two tests are skipped.
import { ensureDebianProgram } from '../../scripts/system-deps.ts';

export default function setup(): void {
  ensureDebianProgram('espeak-ng');
  ensureDebianProgram('flite');
}
