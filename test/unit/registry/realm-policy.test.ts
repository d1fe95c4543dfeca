import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileForHost } from '../../../functions/registry/profiles.ts';
import { loadRegistrableDomain } from '../../../functions/registry/public-suffix.ts';
import { checkRealm } from '../../../functions/registry/realm-policy.ts';

const registrableDomain = await loadRegistrableDomain();

function decide(registry: string, realm: string, withCredentials: boolean) {
  const base = new URL(registry);
  const profile = profileForHost(base.host);
  return checkRealm(
    base,
    new URL(realm),
    withCredentials
      ? { withCredentials: true, profile, registrableDomain }
      : { withCredentials: false, profile },
  );
}

describe('checkRealm', () => {
  it.each([
    ['https://registry-1.docker.io', 'https://auth.docker.io/token'],
    ['https://ghcr.io', 'https://ghcr.io/token'],
    ['https://gcr.io', 'https://gcr.io/v2/token'],
    ['https://europe-west1-docker.pkg.dev', 'https://europe-west1-docker.pkg.dev/v2/token'],
    ['https://quay.io', 'https://quay.io/v2/auth'],
    ['https://registry.example.com', 'https://auth.example.com/token'],
    ['https://myregistry.azurecr.io', 'https://myregistry.azurecr.io/oauth2/token'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5001/token'],
    ['https://127.0.0.1:5000', 'https://127.0.0.1:5000/token'],
    ['https://[::1]:5000', 'https://[::1]:5001/token'],
    [
      'https://111111111111.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn',
      'https://111111111111.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/token',
    ],
  ])('sends credentials from %s to the realm %s', (registry, realm) => {
    expect(decide(registry, realm, true)).toEqual({ allowed: true });
  });

  it.each([
    ['https://registry.example.com', 'https://evil.example.net/token', 'evil.example.net'],
    ['https://ghcr.io', 'https://auth.docker.io/token', 'auth.docker.io'],
    ['http://127.0.0.1:5000', 'http://localhost:5001/token', 'localhost'],
    ['https://a.github.io', 'https://b.github.io/token', 'b.github.io'],
    ['https://one.azurecr.io', 'https://two.azurecr.io/oauth2/token', 'two.azurecr.io'],
    ['https://10.0.0.5', 'https://10.0.0.6/token', '10.0.0.6'],
    [
      'https://111111111111.dkr-ecr.eu-west-1.on.aws',
      'https://222222222222.dkr-ecr.eu-west-1.on.aws/',
      '222222222222',
    ],
    ['https://acme.jfrog.io', 'https://evil.jfrog.io/token', 'evil.jfrog.io'],
    // China's ECR dual-stack hosts: another account under on.amazonwebservices.com.cn.
    [
      'https://111111111111.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn',
      'https://222222222222.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/',
      '222222222222',
    ],
    [
      'https://111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn',
      'https://222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/',
      '222222222222',
    ],
    // The public suffix list makes ecr.us-east-1.amazonaws.com a registrable domain, shared by
    // every account's registry in the region.
    [
      'https://111111111111.dkr.ecr.us-east-1.amazonaws.com',
      'https://222222222222.dkr.ecr.us-east-1.amazonaws.com/',
      '222222222222',
    ],
  ])('refuses credentials from %s to the foreign realm %s', (registry, realm, host) => {
    const decision = decide(registry, realm, true);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toContain(host);
  });

  it.each([['https://evil.example.net/token'], ['https://localhost/token']])(
    'lets an anonymous probe call the foreign realm %s',
    (realm) => {
      expect(decide('https://registry.example.com', realm, false)).toEqual({ allowed: true });
    },
  );

  it('refuses a plain-HTTP realm on the same host of an HTTPS registry when credentials would be sent', () => {
    const decision = decide('https://registry.example.com', 'http://registry.example.com/token', true);
    expect(decision).toEqual({
      allowed: false,
      reason:
        'The token realm http://registry.example.com/token is plain HTTP while the registry uses HTTPS; credentials are not sent in clear text.',
    });
  });

  it('refuses a plain-HTTP realm of the same registrable domain even for a trusted-looking host', () => {
    expect(decide('https://registry-1.docker.io', 'http://auth.docker.io/token', true).allowed).toBe(false);
    expect(decide('https://registry.example.com', 'http://auth.example.com/token', true).allowed).toBe(false);
  });

  it('allows a plain-HTTP realm of a plain-HTTP registry on the same host', () => {
    expect(decide('http://registry.local:5000', 'http://registry.local:5001/token', true)).toEqual({
      allowed: true,
    });
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'https://169.254.170.2/v2/credentials',
    'http://2852039166/',
    'http://0xA9FEA9FE/',
    'http://169.254.1.1/token',
    'http://[fe80::1]/token',
    'http://[febf::1]/token',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/',
    'http://100.100.100.200/latest/meta-data/',
  ])('always refuses the metadata or link-local realm %s, even anonymous', (realm) => {
    const decision = decide('https://registry.example.com', realm, false);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toMatch(/SSRF/);
  });

  it('still refuses a metadata realm when the registry itself is on that address', () => {
    expect(decide('http://169.254.169.254', 'http://169.254.169.254/token', true).allowed).toBe(false);
  });

  it.each([
    'file:///etc/passwd',
    'ftp://registry.example.com/token',
    'gopher://registry.example.com/',
    'data:text/plain,x',
  ])('refuses the non-HTTP realm %s', (realm) => {
    const decision = decide('https://registry.example.com', realm, false);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toContain('only http and https are allowed');
  });

  it('does not echo user-info or query strings of the realm in its reason', () => {
    const decision = decide(
      'https://registry.example.com',
      'https://user:hunter2@evil.example.net/token?secret=s3cr3t',
      true,
    );
    expect(decision.allowed === false && decision.reason).not.toMatch(/hunter2|s3cr3t/);
  });

  it('never sends credentials to a host outside the registry domain', () => {
    fc.assert(
      fc.property(fc.domain(), fc.domain(), (registryHost, realmHost) => {
        fc.pre(!realmHost.endsWith(registryHost) && !registryHost.endsWith(realmHost));
        const decision = decide(`https://${registryHost}`, `https://${realmHost}/token`, true);
        if (decision.allowed) {
          // Only a shared registrable domain may justify it.
          const a = registryHost.split('.').slice(-2).join('.');
          const b = realmHost.split('.').slice(-2).join('.');
          expect(a).toBe(b);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('always refuses any address in 169.254.0.0/16', () => {
    fc.assert(
      fc.property(fc.nat(255), fc.nat(255), fc.boolean(), (c, d, withCredentials) => {
        expect(
          decide('https://registry.example.com', `http://169.254.${c}.${d}/`, withCredentials).allowed,
        ).toBe(false);
      }),
    );
  });

  it('always refuses any address in fe80::/10', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0xfe80, max: 0xfebf }), fc.nat(0xffff), (first, last) => {
        const realm = `http://[${first.toString(16)}::${last.toString(16)}]/`;
        expect(decide('https://registry.example.com', realm, false).allowed).toBe(false);
      }),
    );
  });
});

describe('loadRegistrableDomain', () => {
  it('loads the public suffix list once, private section included (a.github.io and b.github.io are two owners)', async () => {
    const first = loadRegistrableDomain();
    expect(loadRegistrableDomain()).toBe(first);
    const lookup = await first;
    expect(lookup('registry.example.co.uk')).toBe('example.co.uk');
    expect(lookup('a.github.io')).toBe('a.github.io');
    expect(lookup('b.github.io')).not.toBe(lookup('a.github.io'));
    expect(lookup('127.0.0.1')).toBeNull();
  });
});
