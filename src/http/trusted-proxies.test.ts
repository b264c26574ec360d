import { describe, expect, it } from 'vitest';
import { parseCidr, TrustedProxies } from './trusted-proxies.js';

describe('trusted proxies', () => {
  it('trusts the addresses of its ranges, IPv4-mapped ones too, and nothing else', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', '192.0.2.7', 'fd00::/16']);
    expect(proxies.trusts('10.1.2.3')).toBe(true);
    expect(proxies.trusts('::ffff:10.1.2.3')).toBe(true);
    expect(proxies.trusts('192.0.2.7')).toBe(true);
    expect(proxies.trusts('192.0.2.8')).toBe(false);
    expect(proxies.trusts('fd00:1::1')).toBe(true);
    expect(proxies.trusts('fe80::1')).toBe(false);
    expect(proxies.trusts(undefined)).toBe(false);
    expect(new TrustedProxies([]).trusts('10.1.2.3')).toBe(false);
  });

  it('reads ADDR[/PREFIX] and refuses anything else', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/1', 'proxy.example.com', '::1/129', '10.0.0.0/-1']) expect(parseCidr(bad), bad).toBeUndefined();
    expect(() => new TrustedProxies(['nonsense'])).toThrow(/nonsense/);
  });
});
