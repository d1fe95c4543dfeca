/**
 * The redirect destination policy (redirect-policy.ts): which Location the probe follows, and
 * whether the credentials of the origin they were issued for go with it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forbiddenHostReason } from '../../../functions/registry/forbidden-hosts.ts';
import {
  checkRedirect,
  isFollowedRedirect,
  MAX_REDIRECTS,
  methodAfterRedirect,
} from '../../../functions/registry/redirect-policy.ts';

const REGISTRY = new URL('https://registry.example.com/v2/team/app/manifests/v1');
const ORIGIN = REGISTRY.origin;

/** Every spelling of an IPv4 address that the WHATWG URL parser accepts for http(s) hosts. */
function ipv4Spellings([a, b, c, d]: [number, number, number, number]): string[] {
  const int = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const oct = (n: number) => `0${n.toString(8)}`;
  const h = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return [
    `${a}.${b}.${c}.${d}`,
    String(int),
    hex(int),
    hex(int).toUpperCase().replace('0X', '0x'),
    [a, b, c, d].map(hex).join('.'),
    [a, b, c, d].map(oct).join('.'),
    `${a}.${b}.${(c << 8) + d}`,
    `${a}.${(b << 16) + (c << 8) + d}`,
    `${oct(a)}.${hex(b)}.${c}.${d}`,
    `${a}.${b}.${c}.${d}.`,
    `[::ffff:${a}.${b}.${c}.${d}]`,
    `[::ffff:${h(a, b)}:${h(c, d)}]`,
    `[0:0:0:0:0:ffff:${h(a, b)}:${h(c, d)}]`,
    `[::FFFF:${h(a, b).toUpperCase()}:${h(c, d)}]`,
    `[64:ff9b::${a}.${b}.${c}.${d}]`,
    `[64:ff9b::${h(a, b)}:${h(c, d)}]`,
    `[2002:${h(a, b)}:${h(c, d)}::1]`,
  ];
}

const linkLocalIpv4 = fc.tuple(
  fc.constant(169),
  fc.constant(254),
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0, max: 255 }),
);

/** Unicode spellings the URL parser folds (IDNA: fullwidth letters, circled digits, ideographic full stops) and percent-encoding. */
function unicodeSpellings([a, b, c, d]: [number, number, number, number]): string[] {
  const circled = (n: number) =>
    String(n)
      .split('')
      .map((digit) => (digit === '0' ? '⓪' : String.fromCodePoint(0x2460 + Number(digit) - 1)))
      .join('');
  const fullwidth = (text: string) =>
    text.replace(/[0-9]/g, (digit) => String.fromCodePoint(0xff10 + Number(digit)));
  return [
    [a, b, c, d].map(circled).join('.'),
    [a, b, c, d].join('。'),
    fullwidth(`${a}.${b}.${c}.${d}`),
    [a, b, c, d].map((n) => [...String(n)].map((ch) => `%3${ch}`).join('')).join('.'),
  ];
}

const metadataNames = fc
  .tuple(
    fc.constantFrom(
      'metadata.google.internal',
      'metadata.goog',
      'instance-data.ec2.internal',
      'instance-data',
    ),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([name, upper, dot]) => `${upper ? name.toUpperCase() : name}${dot ? '.' : ''}`)
  .chain((name) =>
    fc.constantFrom(
      name,
      name.replace(/m/g, 'ｍ').replace(/a/g, 'ａ'),
      name.replace(/[a-z]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`),
    ),
  );

const awsIpv6Metadata = fc.constantFrom(
  '[fd00:ec2::254]',
  '[FD00:EC2::254]',
  '[fd00:0ec2:0:0:0:0:0:0254]',
  '[fd00:ec2:0000::254]',
);

const linkLocalIpv6 = fc
  .tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), fc.integer({ min: 0, max: 0xffff }))
  .map(([head, tail]) => `[${head.toString(16)}::${tail.toString(16)}]`);

const forbiddenHost = fc.oneof(
  linkLocalIpv4.chain((ip) => fc.constantFrom(...ipv4Spellings(ip), ...unicodeSpellings(ip))),
  fc.constantFrom(...ipv4Spellings([100, 100, 100, 200])),
  metadataNames,
  awsIpv6Metadata,
  linkLocalIpv6,
);

/** A Location pointing at `host` in some form a registry could send. */
const locationTo = (host: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'HTTP://', '//'),
      fc.constantFrom('', 'user:pass@', 'x@'),
      host,
      fc.constantFrom('', ':80', ':443', ':8080'),
      fc.constantFrom(
        '/',
        '/latest/meta-data/iam/security-credentials/',
        '/computeMetadata/v1/?recursive=true',
      ),
    )
    .map((parts) => parts.join(''));

describe('checkRedirect', () => {
  it('law: no redirect to a metadata or link-local address is ever followed, in any spelling', () => {
    fc.assert(
      fc.property(locationTo(forbiddenHost), (location) => {
        const decision = checkRedirect(REGISTRY, location, ORIGIN);
        expect(decision.allowed, location).toBe(false);
        if (!decision.allowed) expect(decision.reason).toMatch(/metadata|link-local/);
      }),
      { numRuns: 2000 },
    );
  });

  it('law: the URL parser and the policy agree: every spelling parses to a host the policy names', () => {
    fc.assert(
      fc.property(
        linkLocalIpv4.chain((ip) => fc.constantFrom(...ipv4Spellings(ip), ...unicodeSpellings(ip))),
        (host) => {
          expect(forbiddenHostReason(new URL(`http://${host}/`).hostname), host).not.toBeNull();
        },
      ),
    );
  });

  it('law: every followed redirect is http(s), to a host that is not forbidden', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.string(), locationTo(forbiddenHost)), (location) => {
        const decision = checkRedirect(REGISTRY, location, ORIGIN);
        if (!decision.allowed) return;
        expect(['http:', 'https:']).toContain(decision.target.protocol);
        expect(forbiddenHostReason(decision.target.hostname)).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it('law: credentials go only to the very origin they were issued for', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'] }), (location) => {
        const decision = checkRedirect(REGISTRY, location, ORIGIN);
        if (!decision.allowed) return;
        expect(decision.sendCredentials).toBe(decision.target.origin === ORIGIN);
        if (decision.target.hostname !== REGISTRY.hostname || decision.target.protocol === 'http:') {
          expect(decision.sendCredentials).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    'file:///etc/passwd',
    'ftp://registry.example.com/blob',
    'data:text/plain,hello',
    'javascript:alert(1)',
    'gopher://127.0.0.1:6379/_INFO',
    'ws://registry.example.com/',
  ])('refuses the scheme of %s', (location) => {
    const decision = checkRedirect(REGISTRY, location, ORIGIN);

    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.reason).toContain('scheme');
  });

  it('refuses a redirect without a Location, and one that is not a URL', () => {
    expect(checkRedirect(REGISTRY, undefined, ORIGIN)).toEqual({
      allowed: false,
      reason: 'the redirect has no Location header',
    });
    expect(checkRedirect(REGISTRY, 'http://[::1', ORIGIN).allowed).toBe(false);
  });

  it('follows an https -> http downgrade on the same host, without credentials', () => {
    const decision = checkRedirect(REGISTRY, 'http://registry.example.com/v2/x', ORIGIN);

    expect(decision).toMatchObject({ allowed: true, sendCredentials: false });
  });

  it('follows a relative Location on the same origin, with credentials', () => {
    const decision = checkRedirect(REGISTRY, '/v2/team/app/manifests/sha256:abc', ORIGIN);

    expect(decision).toMatchObject({ allowed: true, sendCredentials: true });
    expect(decision.allowed && decision.target.href).toBe(
      'https://registry.example.com/v2/team/app/manifests/sha256:abc',
    );
  });

  it("follows registry.k8s.io's redirect to Artifact Registry, without the registry's credentials", () => {
    // https://github.com/kubernetes/registry.k8s.io/issues/116 (crane trace, 2022-10-13)
    const from = new URL('https://registry.k8s.io/v2/ingress-nginx/kube-webhook-certgen/manifests/v1.3.0');
    const location =
      'https://asia-east1-docker.pkg.dev/v2/k8s-artifacts-prod/images/ingress-nginx/kube-webhook-certgen/manifests/v1.3.0';

    expect(checkRedirect(from, location, from.origin)).toMatchObject({
      allowed: true,
      sendCredentials: false,
    });
  });

  it('does not count a port change as the same origin', () => {
    const decision = checkRedirect(REGISTRY, 'https://registry.example.com:8443/v2/', ORIGIN);

    expect(decision).toMatchObject({ allowed: true, sendCredentials: false });
  });

  it('allows loopback and private addresses: a self-hosted registry lives there', () => {
    for (const host of ['127.0.0.1', '10.0.0.5', '[::1]', '192.168.1.20', '169.255.0.1', '[fec0::1]']) {
      expect(checkRedirect(REGISTRY, `http://${host}/v2/`, ORIGIN).allowed, host).toBe(true);
    }
  });
});

describe('redirect statuses and methods', () => {
  it('follows 301, 302, 303, 307 and 308 only, as Go does', () => {
    const followed = [300, 301, 302, 303, 304, 305, 306, 307, 308, 309].filter(isFollowedRedirect);

    expect(followed).toEqual([301, 302, 303, 307, 308]);
  });

  it('turns a POST into a GET on 301, 302 and 303 but keeps it on 307 and 308', () => {
    expect([301, 302, 303, 307, 308].map((s) => methodAfterRedirect(s, 'POST'))).toEqual([
      'GET',
      'GET',
      'GET',
      'POST',
      'POST',
    ]);
    expect(methodAfterRedirect(302, 'HEAD')).toBe('HEAD');
  });

  it("stops at docker's 10 redirects", () => {
    expect(MAX_REDIRECTS).toBe(10);
  });
});
