// Secrets are not in wrangler.jsonc (a var would overwrite the secret on
// deploy), so `wrangler types` cannot see them: declare them here.
declare namespace Cloudflare {
  interface Env {
    /** Comma-separated API keys (`name=key` or `key`); unset = open API. */
    LECTOR_API_KEYS?: string;
  }
}
interface Env {
  LECTOR_API_KEYS?: string;
}
