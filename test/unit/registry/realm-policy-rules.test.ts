// The realm policy's security rules one at a time, each with the case just inside and just
// outside it, so that dropping or loosening any one rule fails a test. The metadata addresses are
// the providers' documented ones: AWS IMDS 169.254.169.254 and fd00:ec2::254 (EC2 User Guide,
// "Access instance metadata"), ECS task credentials 169.254.170.2, GCP metadata.google.internal and
// metadata.goog, Alibaba Cloud 100.100.100.200.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileForHost, type RegistryProfile } from '../../../functions/registry/profiles.ts';
import { loadRegistrableDomain } from '../../../functions/registry/public-suffix.ts';
import { checkRealm, type RealmDecision } from '../../../functions/registry/realm-policy.ts';

// The lookup the probe uses (tldts, loaded lazily by public-suffix.ts): the rules are tested with
// the real public suffix list, not a stand-in.
const registrableDomain = await loadRegistrableDomain();

function decide(registry: string, realm: string, withCredentials: boolean, profile?: RegistryProfile) {
  const base = new URL(registry);
  const chosen = profile ?? profileForHost(base.host);
  return checkRealm(
    base,
    new URL(realm),
    withCredentials
      ? { withCredentials: true, profile: chosen, registrableDomain }
      : { withCredentials: false, profile: chosen },
  );
}

const ALLOWED: RealmDecision = { allowed: true };
const reasonOf = (decision: RealmDecision) => (decision.allowed ? null : decision.reason);

describe('rule 1: only http and https realms', () => {
  it.each(['ftp://registry.example.com/token', 'ws://registry.example.com/token', 'file:///token'])(
    'refuses %s even for an anonymous probe, naming the scheme',
    (realm) => {
      const scheme = new URL(realm).protocol;
      expect(reasonOf(decide('https://registry.example.com', realm, false))).toBe(
        `The token realm ${scheme}//${new URL(realm).host}${new URL(realm).pathname} uses the ${scheme} scheme; only http and https are allowed.`,
      );
    },
  );

  it.each(['http://registry.example.com/token', 'https://registry.example.com/token'])(
    'lets an anonymous probe call %s',
    (realm) => {
      expect(decide('https://registry.example.com', realm, false)).toEqual(ALLOWED);
    },
  );
});

describe('rule 2: never the cloud metadata service (SSRF), with or without credentials', () => {
  it.each(['metadata.google.internal', 'metadata.goog', 'metadata'])(
    'refuses the metadata host name %s',
    (host) => {
      for (const withCredentials of [false, true]) {
        expect(
          reasonOf(decide('https://registry.example.com', `http://${host}/token`, withCredentials)),
        ).toBe(
          `The token realm http://${host}/token points at the cloud metadata service (${host}); the probe never calls it, because that would let a registry read cloud credentials (SSRF).`,
        );
      }
    },
  );

  it.each(['metadata.example.com', 'metadatas', 'google.internal', 'metadata.goog.example'])(
    'lets an anonymous probe call %s, which only looks like a metadata name',
    (host) => {
      expect(decide('https://registry.example.com', `http://${host}/token`, false)).toEqual(ALLOWED);
    },
  );

  it.each([
    ['169.254.169.254', 'the link-local address 169.254.169.254 (cloud metadata)'],
    ['169.254.170.2', 'the link-local address 169.254.170.2 (cloud metadata)'],
    ['169.254.0.0', 'the link-local address 169.254.0.0 (cloud metadata)'],
    ['169.254.255.255', 'the link-local address 169.254.255.255 (cloud metadata)'],
    ['100.100.100.200', 'the cloud metadata address 100.100.100.200'],
    ['[::ffff:169.254.169.254]', 'the link-local address 169.254.169.254 (cloud metadata)'],
    ['[::ffff:a9fe:1]', 'the link-local address 169.254.0.1 (cloud metadata)'],
    ['[fe80::1]', 'the link-local address fe80::1'],
    ['[febf:ffff::1]', 'the link-local address febf:ffff::1'],
    ['[fd00:ec2::254]', 'the cloud metadata address fd00:ec2::254'],
  ])('refuses the metadata address %s', (host, what) => {
    expect(reasonOf(decide('https://registry.example.com', `http://${host}/`, false))).toBe(
      `The token realm http://${new URL(`http://${host}/`).host}/ points at ${what}; the probe never calls it, because that would let a registry read cloud credentials (SSRF).`,
    );
  });

  it.each([
    '169.253.255.255',
    '169.255.0.0',
    '170.254.169.254',
    '168.254.169.254',
    '100.100.100.201',
    '100.100.100.20',
    '[::ffff:a9fd:a9fe]',
    '[::fffe:a9fe:a9fe]',
    '[1::ffff:a9fe:a9fe]',
    '[fe7f::1]',
    '[fec0::1]',
    '[fd00:ec2::253]',
    '[fd00:ec3::254]',
    '[fd00:ec2:0:1::254]',
    '[::1]',
  ])('lets an anonymous probe call the ordinary address %s', (host) => {
    expect(decide('https://registry.example.com', `http://${host}/`, false)).toEqual(ALLOWED);
  });

  it('refuses every IPv4-mapped link-local address (law)', () => {
    fc.assert(
      fc.property(fc.nat(0xffff), (low) => {
        const realm = `http://[::ffff:a9fe:${low.toString(16)}]/`;
        expect(decide('https://registry.example.com', realm, false).allowed).toBe(false);
      }),
    );
  });

  it('refuses exactly the IPv4 addresses in 169.254.0.0/16 and 100.100.100.200 (law)', () => {
    const octet = fc.nat(255);
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const address = `${a}.${b}.${c}.${d}`;
        const metadata = (a === 169 && b === 254) || address === '100.100.100.200';
        expect(decide('https://registry.example.com', `http://${address}/`, false).allowed).toBe(!metadata);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rule 3: credentials never in clear text once the registry uses HTTPS', () => {
  it('refuses a plain-HTTP realm on the registry host itself', () => {
    expect(reasonOf(decide('https://registry.example.com', 'http://registry.example.com/token', true))).toBe(
      'The token realm http://registry.example.com/token is plain HTTP while the registry uses HTTPS; credentials are not sent in clear text.',
    );
  });

  it('refuses a plain-HTTP realm on a host the profile trusts', () => {
    expect(decide('https://registry-1.docker.io', 'http://auth.docker.io/token', true).allowed).toBe(false);
  });

  it('lets a plain-HTTP registry send credentials to a realm on its own host, over HTTP or HTTPS', () => {
    expect(decide('http://registry.local:5000', 'http://registry.local/token', true)).toEqual(ALLOWED);
    expect(decide('http://registry.local:5000', 'https://registry.local/token', true)).toEqual(ALLOWED);
  });
});

describe('rule 4: with credentials, only the registry host, its trusted hosts and its own domain', () => {
  it('allows the registry host on any port, whatever the case or trailing dot', () => {
    expect(decide('https://registry.example.com', 'https://registry.example.com:8443/token', true)).toEqual(
      ALLOWED,
    );
    expect(decide('https://registry.example.com.', 'https://REGISTRY.example.com/token', true)).toEqual(
      ALLOWED,
    );
    expect(decide('https://[::1]:5000', 'https://[::1]:6000/token', true)).toEqual(ALLOWED);
  });

  it('refuses another IP literal, which has no registrable domain', () => {
    expect(decide('https://[::1]:5000', 'https://[::2]/token', true).allowed).toBe(false);
    expect(decide('https://192.0.2.1', 'https://192.0.2.2/token', true).allowed).toBe(false);
  });

  it('allows a host the profile trusts, and only that one', () => {
    const base = profileForHost('registry.example.com');
    const profile = { ...base, trustedRealmHosts: ['tokens.other.example'] };
    expect(decide('https://registry.example.com', 'https://tokens.other.example/t', true, profile)).toEqual(
      ALLOWED,
    );
    expect(decide('https://registry.example.com', 'https://tokens.other.example/t', true, base).allowed).toBe(
      false,
    );
    expect(
      decide('https://registry.example.com', 'https://more.other.example/t', true, profile).allowed,
    ).toBe(false);
  });

  it('allows a sibling host of the same registrable domain over HTTPS', () => {
    expect(decide('https://registry.example.com', 'https://auth.example.com/token', true)).toEqual(ALLOWED);
    expect(decide('https://registry.example.com', 'https://example.com/token', true)).toEqual(ALLOWED);
  });

  it('refuses a sibling host over plain HTTP, even when the registry itself is plain HTTP', () => {
    // The same-host rule may allow HTTP (it is the machine that already gets the credentials);
    // a sibling host may not: on HTTP, anyone on the path can answer as that host.
    expect(reasonOf(decide('http://registry.example.com', 'http://auth.example.com/token', true))).toBe(
      'The token realm http://auth.example.com/token is on auth.example.com, which is neither the registry registry.example.com nor a host trusted for Private registry; credentials are not sent to it.',
    );
  });

  it('refuses a host of another registrable domain, naming both hosts', () => {
    expect(reasonOf(decide('https://registry.example.com', 'https://auth.example.org/token', true))).toBe(
      'The token realm https://auth.example.org/token is on auth.example.org, which is neither the registry registry.example.com nor a host trusted for Private registry; credentials are not sent to it.',
    );
  });

  // Each multi-tenant domain: one customer's registry must not hand its credentials to another
  // customer's host under the same domain. The public suffix list does not separate these.
  it.each([
    'azurecr.io',
    'azurecr.cn',
    'azurecr.us',
    'on.aws',
    'amazonaws.com',
    'amazonaws.com.cn',
    'amazonwebservices.com.cn',
    'jfrog.io',
    'pkg.dev',
  ])('refuses another tenant under the multi-tenant domain %s, and the domain itself', (domain) => {
    expect(decide(`https://one.${domain}`, `https://two.${domain}/token`, true).allowed).toBe(false);
    expect(decide(`https://one.${domain}`, `https://${domain}/token`, true).allowed).toBe(false);
    expect(decide(`https://one.${domain}`, `https://one.${domain}/token`, true)).toEqual(ALLOWED);
  });

  it('lets an anonymous probe call any ordinary host', () => {
    expect(decide('https://one.azurecr.io', 'https://two.azurecr.io/token', false)).toEqual(ALLOWED);
  });
});

describe('laws', () => {
  const host = fc.oneof(
    fc.domain(),
    fc.constantFrom('169.254.169.254', 'metadata', '[fe80::1]', '[::1]', '10.0.0.1', 'one.azurecr.io'),
  );
  const scheme = fc.constantFrom('http', 'https');

  it('credentials never widen what the probe may call', () => {
    fc.assert(
      fc.property(scheme, host, scheme, host, (rs, registryHost, qs, realmHost) => {
        const registry = `${rs}://${registryHost}`;
        const realm = `${qs}://${realmHost}/token`;
        if (decide(registry, realm, true).allowed) expect(decide(registry, realm, false)).toEqual(ALLOWED);
      }),
      { numRuns: 500 },
    );
  });

  it('a refusal names no user-info or query of the realm', () => {
    fc.assert(
      fc.property(host, fc.stringMatching(/^[a-z0-9]{8,16}$/), (realmHost, secret) => {
        const decision = decide(
          'https://registry.example.com',
          `https://u:${secret}@${realmHost}/t?k=${secret}`,
          true,
        );
        if (!decision.allowed) expect(decision.reason).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });
});
