import { describe, expect, it } from 'vitest';
import { EDGE_EXTRA_CA_VAR, edgeCaEnv } from './edge-ca.ts';

describe('edgeCaEnv', () => {
  it('keeps a system-wide NODE_EXTRA_CA_CERTS away from the edge', () => {
    const env = edgeCaEnv({ NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', PATH: '/bin' });
    expect(env).toEqual({ PATH: '/bin' });
  });

  it('hands the edge the private CAs named for it', () => {
    const env = edgeCaEnv({ NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', [EDGE_EXTRA_CA_VAR]: ' /srv/proxy-ca.pem ' });
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/srv/proxy-ca.pem');
  });
});
