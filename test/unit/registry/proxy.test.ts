import { describe, expect, it } from 'vitest';
import { matchesNoProxy, proxyFor, proxySettingsFromEnv } from '../../../functions/registry/proxy.ts';

describe('proxy selection', () => {
  const settings = { httpsProxy: 'http://proxy:3128', httpProxy: 'proxy-plain:8080' };

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, assuming http:// for a bare host:port', () => {
    expect(proxyFor(new URL('https://ghcr.io/v2/'), settings)?.toString()).toBe('http://proxy:3128/');
    expect(proxyFor(new URL('http://reg.internal/v2/'), settings)?.toString()).toBe(
      'http://proxy-plain:8080/',
    );
  });

  it('goes direct for a host NO_PROXY names, and only for it', () => {
    const withNoProxy = { ...settings, noProxy: 'registry.test' };
    expect(proxyFor(new URL('https://registry.test/v2/'), withNoProxy)).toBeNull();
    expect(proxyFor(new URL('https://mirror.registry.test/v2/'), withNoProxy)).toBeNull();
    expect(proxyFor(new URL('https://ghcr.io/v2/'), withNoProxy)?.toString()).toBe('http://proxy:3128/');
  });

  it('never proxies localhost or loopback addresses', () => {
    expect(proxyFor(new URL('https://localhost:5000/v2/'), settings)).toBeNull();
    expect(proxyFor(new URL('https://127.0.0.1:5000/v2/'), settings)).toBeNull();
    expect(proxyFor(new URL('https://[::1]:5000/v2/'), settings)).toBeNull();
  });

  it.each([
    ['ghcr.io', '443', 'ghcr.io', true],
    ['pkg.ghcr.io', '443', 'ghcr.io', true],
    ['ghcr.io', '443', '.ghcr.io', false],
    ['a.ghcr.io', '443', '.ghcr.io', true],
    ['a.ghcr.io', '443', '*.ghcr.io', true],
    ['notghcr.io', '443', 'ghcr.io', false],
    ['ghcr.io', '443', 'ghcr.io:5000', false],
    ['ghcr.io', '5000', 'ghcr.io:5000', true],
    ['10.1.2.3', '443', '10.0.0.0/8', true],
    ['11.1.2.3', '443', '10.0.0.0/8', false],
    ['10.1.2.3', '443', '10.1.2.3', true],
    ['anything.example', '443', '*', true],
    ['GHCR.IO', '443', ' foo , ghcr.io ', true],
  ])('host %s:%s with NO_PROXY=%j -> %s', (host, port, noProxy, expected) => {
    expect(matchesNoProxy(host, port, noProxy)).toBe(expected);
  });

  it('reads upper-case variables before lower-case ones, like Go and so docker', () => {
    expect(
      proxySettingsFromEnv({ HTTPS_PROXY: 'http://upper', https_proxy: 'http://lower', no_proxy: 'x' }),
    ).toEqual({
      httpsProxy: 'http://upper',
      noProxy: 'x',
    });
  });

  it('treats an empty variable as unset, so it does not hide the other spelling', () => {
    expect(
      proxySettingsFromEnv({ HTTPS_PROXY: '', https_proxy: 'http://lower', HTTP_PROXY: ' ', http_proxy: '' }),
    ).toEqual({ httpsProxy: 'http://lower' });
  });
});
