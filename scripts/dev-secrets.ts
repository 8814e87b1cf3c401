// The secrets `npm start` passes to the Workers and the synthesis service, read
// from the repository's .dev.vars (dotenv syntax, parsed by Node's own
// util.parseEnv) in addition to the process environment.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** The variables in a .dev.vars file; none when there is no file. */
export function loadDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) if (v !== undefined) out[k] = v;
  return out;
}

/** How many keys LECTOR_API_KEYS holds (for the banner; never the keys themselves). */
export function keyCount(apiKeys: string): number {
  return apiKeys.split(',').filter((p) => p.trim()).length;
}
