// Shared pieces of the HTTP providers: what a provider may touch (injectable
// fetch, the Worker's env for secrets and bindings), and reading an error body.

export interface ProviderDeps {
  /** `fetch` for the provider's requests (tests pass a double). */
  fetch: typeof fetch;
  /** The Worker's env: secrets and bindings are looked up by the names the config gives. */
  env: Readonly<Record<string, unknown>>;
}

/** The first 300 characters of an error body, for messages. */
export async function errorDetail(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 300);
  } catch (e) {
    return `(body unreadable: ${String(e)})`;
  }
}

/** The value of a secret, or undefined when it is not set. */
export function secretValue(env: Readonly<Record<string, unknown>>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = env[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `base` (a server root, maybe with a path prefix) joined with `path`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
