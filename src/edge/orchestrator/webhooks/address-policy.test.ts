// The webhook address policy inside workerd (its URL parser is the one that
// normalizes the host): public addresses and names pass; loopback, private,
// link-local, metadata, unique-local, IPv4-in-IPv6 and local names do not,
// however spelled, unless private targets are allowed.
import { describe, expect, it } from 'vitest';
import { isLectorError } from '../../../core/errors.ts';
import { checkWebhookUrl } from './address-policy.ts';

function code(url: string, allowPrivate = false): string {
  try {
    checkWebhookUrl(url, allowPrivate);
    return 'ok';
  } catch (e) {
    return isLectorError(e) ? (e as { code: string }).code : String(e);
  }
}

describe('webhook address policy', () => {
  it('accepts public hosts and addresses over http(s)', () => {
    for (const url of ['https://example.com/hook', 'http://hooks.example.org:8080/x?y=1', 'https://8.8.8.8/', 'https://[2606:4700:4700::1111]/', 'https://example.com./']) {
      expect(code(url), url).toBe('ok');
    }
  });

  it('refuses loopback, private, link-local, metadata, unique-local and local names, in any spelling', () => {
    for (const url of [
      'http://127.0.0.1/', 'http://127.1/', 'http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/',
      'http://10.0.0.1/', 'http://172.16.0.1/', 'http://172.31.255.255/', 'http://192.168.0.1/', 'http://100.64.0.1/',
      'http://169.254.169.254/latest/meta-data/', 'http://169.254.0.1/', 'http://0.0.0.0/', 'http://255.255.255.255/', 'http://224.0.0.1/',
      'http://[::1]/', 'http://[::]/', 'http://[fe80::1]/', 'http://[fc00::1]/', 'http://[fd00:ec2::254]/',
      'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:7f00:1::]/',
      'http://localhost/', 'http://LOCALHOST.:80/', 'http://api.localhost/', 'http://printer.local/', 'http://db.internal/', 'http://intranet/',
      'ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'http://u:p@example.com/', 'example.com/hook', `https://example.com/${'a'.repeat(2100)}`,
    ]) {
      expect(code(url), url).toBe('invalid_webhook');
    }
  });

  it('allows private targets only when told to, and still only http(s)', () => {
    expect(code('http://127.0.0.1:9999/hook', true)).toBe('ok');
    expect(code('http://[::1]/', true)).toBe('ok');
    expect(code('ftp://127.0.0.1/', true)).toBe('invalid_webhook');
  });
});
