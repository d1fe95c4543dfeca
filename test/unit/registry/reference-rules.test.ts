// The grammar rules of github.com/distribution/reference (regexp.go, normalize.go, reference.go),
// one by one with their boundaries: what docker accepts, what it refuses and why.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../../functions/registry/errors.ts';
import { parseReference } from '../../../functions/registry/reference.ts';

const SHA256 = `sha256:${'0123456789abcdef'.repeat(4)}`;
const SHA512 = `sha512:${'0123456789abcdef'.repeat(8)}`;

function reason(input: string): string {
  try {
    parseReference(input);
  } catch (error) {
    if (error instanceof InvalidReferenceError) return error.reason;
    throw error;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

describe('parseReference: the whole result', () => {
  it('spells out a tagged Docker Hub reference', () => {
    expect(parseReference('alpine:3.20')).toEqual({
      registry: 'registry-1.docker.io',
      repository: 'library/alpine',
      tag: '3.20',
      digest: null,
      reference: '3.20',
      canonical: 'registry-1.docker.io/library/alpine:3.20',
      original: 'alpine:3.20',
    });
  });

  it('gives a digest-only reference no tag, in its canonical form too', () => {
    expect(parseReference(`alpine@${SHA256}`)).toEqual({
      registry: 'registry-1.docker.io',
      repository: 'library/alpine',
      tag: null,
      digest: SHA256,
      reference: SHA256,
      canonical: `registry-1.docker.io/library/alpine@${SHA256}`,
      original: `alpine@${SHA256}`,
    });
  });

  it('adds latest only when neither tag nor digest is given', () => {
    expect(parseReference('ghcr.io/o/i')).toMatchObject({
      tag: 'latest',
      reference: 'latest',
      canonical: 'ghcr.io/o/i:latest',
    });
  });

  it('reads a digest after a registry port without mistaking the port for a tag', () => {
    expect(parseReference(`localhost:5000/x@${SHA256}`)).toMatchObject({
      registry: 'localhost:5000',
      repository: 'x',
      tag: null,
      digest: SHA256,
      canonical: `localhost:5000/x@${SHA256}`,
    });
  });

  it('trims surrounding whitespace but keeps the input as given', () => {
    expect(parseReference('  alpine  ')).toMatchObject({
      repository: 'library/alpine',
      original: '  alpine  ',
    });
  });

  it('accepts a sha512 digest of 128 hex digits', () => {
    expect(parseReference(`alpine@${SHA512}`).digest).toBe(SHA512);
  });
});

describe('parseReference: registry host', () => {
  it.each([
    ['localhost/x', 'localhost'],
    ['Registry/x', 'Registry'],
    ['host.example:1/x', 'host.example:1'],
    ['host.example:65535/x', 'host.example:65535'],
    ['[::1]:5000/x', '[::1]:5000'],
    ['[fe80::1]/x', '[fe80::1]'],
    ['a-b.example/x', 'a-b.example'],
  ])('takes the first component of %s as the host %s', (input, registry) => {
    expect(parseReference(input).registry).toBe(registry);
  });

  it('takes a first component without ".", ":" or upper case as a Docker Hub namespace', () => {
    expect(parseReference('bitnami/redis')).toMatchObject({
      registry: 'registry-1.docker.io',
      repository: 'bitnami/redis',
    });
  });

  it.each(['docker.io', 'index.docker.io', 'registry-1.docker.io'])(
    'sends the Docker Hub alias %s to registry-1.docker.io and adds library/',
    (alias) => {
      expect(parseReference(`${alias}/alpine`)).toMatchObject({
        registry: 'registry-1.docker.io',
        repository: 'library/alpine',
      });
    },
  );

  it('adds library/ only on Docker Hub', () => {
    expect(parseReference('quay.io/alpine').repository).toBe('alpine');
  });

  it.each([
    ['host.example:0/x', 'port "0"'],
    ['host.example:65536/x', 'port "65536"'],
    ['host.example:/x', 'port ""'],
    ['host.example:8o/x', 'port "8o"'],
    ['host.example:o8/x', 'port "o8"'],
    ['[::1]:/x', 'port ""'],
    ['[::1]:0/x', 'port "0"'],
  ])('refuses %s: %s is not a number from 1 to 65535', (input, port) => {
    expect(reason(input)).toBe(`invalid registry port ${port.slice(5)}: a number from 1 to 65535`);
  });

  it.each(['-a.example/x', 'a-.example/x', 'a..example/x', 'a_b.example/x'])(
    'refuses the host component of %s',
    (input) => {
      expect(reason(input)).toContain('invalid registry host');
    },
  );

  // distribution/reference regexp.go: ipv6address = `\[(?:[a-fA-F0-9:]+)\]`, zone identifiers and
  // IPv4-mapped (dotted) forms deliberately excluded.
  it.each(['[::1]x/y', '[::1/x', '[zz::1]/x', '[]:5000/x', '[fe80::1%eth0]/x', '[::ffff:10.0.0.1]:5000/x'])(
    'refuses the malformed IPv6 host of %s',
    (input) => {
      expect(reason(input)).toBe(
        `invalid registry host ${JSON.stringify(input.slice(0, input.indexOf('/')))}`,
      );
    },
  );
});

describe('parseReference: name length', () => {
  // NameTotalLengthMax counts the whole name, domain included, but not tag or digest.
  const nameOf = (length: number) => `r.example/${'a'.repeat(length - 'r.example/'.length)}`;

  it('accepts a name of exactly 255 characters, with a tag and a digest after it', () => {
    expect(parseReference(`${nameOf(255)}:${'t'.repeat(128)}@${SHA256}`).repository).toHaveLength(245);
  });

  it('refuses a name of 256 characters', () => {
    expect(reason(nameOf(256))).toBe('the repository name is longer than 255 characters');
  });
});

describe('parseReference: tag and digest', () => {
  it.each([
    ['t'.repeat(128), true],
    ['t'.repeat(129), false],
    ['_x', true],
    ['1.0-rc_1', true],
    ['.x', false],
    ['-x', false],
    ['a+b', false],
  ])('a tag %s is accepted: %s', (tag, ok) => {
    if (ok) expect(parseReference(`alpine:${tag}`).tag).toBe(tag);
    else expect(reason(`alpine:${tag}`)).toContain(`invalid tag ${JSON.stringify(tag)}`);
  });

  it('says an empty tag is empty', () => {
    expect(reason('alpine:')).toBe('the tag after ":" is empty');
  });

  it.each([
    [`sha256:${'a'.repeat(63)}`, 'invalid sha256 digest: expected 64 lowercase hex characters'],
    [`sha256:${'a'.repeat(65)}`, 'invalid sha256 digest: expected 64 lowercase hex characters'],
    [`sha256:${'A'.repeat(64)}`, 'invalid sha256 digest: expected 64 lowercase hex characters'],
    [`sha256:${'g'.repeat(64)}`, 'invalid sha256 digest: expected 64 lowercase hex characters'],
    [`sha512:${'a'.repeat(127)}`, 'invalid sha512 digest: expected 128 lowercase hex characters'],
    [`sha512:${'a'.repeat(129)}`, 'invalid sha512 digest: expected 128 lowercase hex characters'],
    [`sha512:${'a'.repeat(64)}`, 'invalid sha512 digest: expected 128 lowercase hex characters'],
  ])('refuses the digest %s', (digest, expected) => {
    expect(reason(`alpine@${digest}`)).toBe(expected);
  });

  it.each(['md5', 'sha256+b64'])(
    'refuses the digest algorithm %s, which the probe cannot verify',
    (algorithm) => {
      const digest = `${algorithm}:${'a'.repeat(32)}`;
      expect(reason(`alpine@${digest}`)).toMatch(
        new RegExp(`^unsupported digest algorithm "${algorithm.replace('+', '\\+')}": use sha256`),
      );
    },
  );

  it.each(['sha256', ':abc', 'SHA256:abc', 'sha256:', 'sha256:a/b'])(
    'refuses the digest %j that is not algorithm:encoded',
    (digest) => {
      expect(reason(`alpine@${digest}`)).toContain('invalid digest');
    },
  );
});

describe('parseReference: repository path', () => {
  it.each(['a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a0/b1/c2'])('accepts the path %s', (path) => {
    expect(parseReference(`ghcr.io/${path}`).repository).toBe(path);
  });

  it.each(['a___b', 'a._b', 'a.', '_a', 'a-', 'a.-b'])('refuses the path component %s', (path) => {
    expect(reason(`ghcr.io/${path}`)).toContain(`invalid repository path component ${JSON.stringify(path)}`);
  });

  it('says an empty path is empty', () => {
    expect(reason('ghcr.io/')).toBe('the repository path is empty');
    expect(reason(':tag')).toBe('the repository name is empty');
  });

  it('refuses a 64-hex-digit image ID as a Docker Hub name, but not as a path on another registry', () => {
    const id = 'f'.repeat(64);
    expect(reason(id)).toBe('a 64-character hexadecimal string is an image ID, not a repository name');
    expect(parseReference(`ghcr.io/${id}`).repository).toBe(id);
    expect(parseReference('f'.repeat(63)).repository).toBe(`library/${'f'.repeat(63)}`);
    expect(parseReference('f'.repeat(65)).repository).toBe(`library/${'f'.repeat(65)}`);
  });

  it.each(['', '   ', '\t'])('says the reference %j is empty', (input) => {
    expect(reason(input)).toBe('the reference is empty');
  });

  it('reads "://" after the name as a broken path, not as a URL scheme', () => {
    expect(reason('ghcr.io/o/i:tag://x')).toContain('invalid repository path component "i:tag:"');
  });

  it('refuses upper case in the path, and says so', () => {
    expect(reason('ghcr.io/Owner/x')).toBe('the repository name must be lowercase');
  });

  it.each(['a\tb', 'a\nb', 'alpine :1'])('refuses whitespace inside %j', (input) => {
    expect(reason(input)).toBe('a reference may not contain whitespace');
  });

  it.each(['https://ghcr.io/a', 'docker://alpine', 'oci+layout://x'])('refuses the URL %s', (input) => {
    expect(reason(input)).toBe('remove the URL scheme: a reference is host/name:tag, not a URL');
  });
});

describe('parseReference: laws', () => {
  const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8})?$/);
  const host = fc.constantFrom(
    'ghcr.io',
    'localhost:5000',
    'registry.example.com',
    '[::1]:5000',
    'docker.io',
  );
  const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: null });
  const digest = fc.option(
    fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
    { nil: null },
  );

  it('parses its canonical form to the same reference (idempotent)', () => {
    fc.assert(
      fc.property(host, fc.array(component, { minLength: 1, maxLength: 3 }), tag, digest, (h, path, t, d) => {
        const input = `${h}/${path.join('/')}${t !== null ? `:${t}` : ''}${d !== null ? `@${d}` : ''}`;
        const ref = parseReference(input);
        const again = parseReference(ref.canonical);
        expect({ ...again, original: ref.original }).toEqual(ref);
        expect(ref.reference).toBe(d ?? t ?? 'latest');
      }),
    );
  });
});
