// Which extra CA certificates the local edge hands to workerd. Miniflare gives
// workerd's outbound TLS every certificate in NODE_EXTRA_CA_CERTS, and encodes
// each one into the config with a copy of the whole config so far (capnp-ts
// grows its buffer 4 KiB at a time): a distribution's bundle of 144 certificates
// cost the runner ~1 s of CPU and +40 MiB at every start (docs/benchmarks.md,
// Session 6). workerd already trusts the public CAs (`trustBrowserCas`), so the
// edge gets only a private CA named for it.

/** Names a PEM file of private CAs for the local Workers' outbound calls (a company proxy's, say). */
export const EDGE_EXTRA_CA_VAR = 'LECTOR_EDGE_EXTRA_CA_CERTS';

/** `env` for the edge's process: NODE_EXTRA_CA_CERTS only when EDGE_EXTRA_CA_VAR names the file. */
export function edgeCaEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = env;
  const own = env[EDGE_EXTRA_CA_VAR]?.trim();
  return own ? { ...rest, NODE_EXTRA_CA_CERTS: own } : rest;
}
