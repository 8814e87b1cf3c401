// The Hono environment of the orchestrator: bindings and per-request values.
import type { Caller } from '../security/auth.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: { caller: Caller };
}
