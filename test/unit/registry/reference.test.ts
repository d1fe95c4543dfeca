import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../../functions/registry/errors.ts';
import { parseReference } from '../../../functions/registry/reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['alpine', 'registry-1.docker.io', 'library/alpine', 'latest', null],
    ['alpine:3.20', 'registry-1.docker.io', 'library/alpine', '3.20', null],
    ['docker.io/library/alpine:latest', 'registry-1.docker.io', 'library/alpine', 'latest', null],
    ['docker.io/alpine', 'registry-1.docker.io', 'library/alpine', 'latest', null],
    ['index.docker.io/x/y', 'registry-1.docker.io', 'x/y', 'latest', null],
    ['docker.io/x/y', 'registry-1.docker.io', 'x/y', 'latest', null],
    ['bitnami/redis:7', 'registry-1.docker.io', 'bitnami/redis', '7', null],
    ['localhost:5000/x', 'localhost:5000', 'x', 'latest', null],
    ['localhost/x:1', 'localhost', 'x', '1', null],
    ['127.0.0.1:5000/a/b/c:v1', '127.0.0.1:5000', 'a/b/c', 'v1', null],
    ['ghcr.io/owner/image:sha-1234', 'ghcr.io', 'owner/image', 'sha-1234', null],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:prod',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'app',
      'prod',
      null,
    ],
    ['public.ecr.aws/docker/library/nginx:1.27', 'public.ecr.aws', 'docker/library/nginx', '1.27', null],
    ['europe-docker.pkg.dev/p/r/img', 'europe-docker.pkg.dev', 'p/r/img', 'latest', null],
    [`alpine@${DIGEST}`, 'registry-1.docker.io', 'library/alpine', null, DIGEST],
    [`quay.io/a/b:1.0@${DIGEST}`, 'quay.io', 'a/b', '1.0', DIGEST],
    ['Registry.Example.com/a_b/c__d/e--f.g:T_1', 'Registry.Example.com', 'a_b/c__d/e--f.g', 'T_1', null],
    ['[::1]:5000/x', '[::1]:5000', 'x', 'latest', null],
  ])('normalises %s', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect(ref).toMatchObject({ registry, repository, tag, digest, original: input });
    expect(ref.reference).toBe(digest ?? tag);
  });

  it('probes the digest when a reference has both a tag and a digest', () => {
    const ref = parseReference(`alpine:3@${DIGEST}`);
    expect(ref.reference).toBe(DIGEST);
    expect(ref.canonical).toBe(`registry-1.docker.io/library/alpine:3@${DIGEST}`);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['Alpine', 'lowercase'],
    ['docker.io/Library/alpine', 'lowercase'],
    ['alpine:', 'tag'],
    ['alpine:-bad', 'invalid tag'],
    [`alpine:${'a'.repeat(129)}`, 'invalid tag'],
    ['alpine@sha256:abc', 'sha256 digest'],
    [`alpine@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    ['alpine@', 'invalid digest'],
    ['a//b', 'empty component'],
    ['a/b/', 'empty component'],
    ['-a', 'invalid repository path component'],
    ['a..b', 'invalid repository path component'],
    ['https://ghcr.io/a/b', 'scheme'],
    ['host:99999/x', 'port'],
    ['ho_st.com/x', 'invalid registry host'],
    [`${'a'.repeat(256)}`, 'longer than 255'],
    ['a b', 'whitespace'],
    ['a'.repeat(64).replace(/a/g, 'f'), 'image ID'],
  ])('refuses %j with a reason mentioning %s', (input, reason) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    try {
      parseReference(input);
    } catch (error) {
      expect((error as InvalidReferenceError).reason).toContain(reason);
    }
  });

  it('never throws anything but InvalidReferenceError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (input) => {
        try {
          parseReference(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidReferenceError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/).filter((s) => s.length <= 20);
  const hostArb = fc.constantFrom(
    'ghcr.io',
    'localhost:5000',
    '127.0.0.1:8080',
    'registry.example.com',
    'quay.io',
  );
  const tagArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);

  it('round-trips its canonical form', () => {
    fc.assert(
      fc.property(
        hostArb,
        fc.array(component, { minLength: 1, maxLength: 3 }),
        tagArb,
        (host, parts, tag) => {
          const input = `${host}/${parts.join('/')}:${tag}`;
          const ref = parseReference(input);
          expect(ref).toMatchObject({ registry: host, repository: parts.join('/'), tag });
          expect(parseReference(ref.canonical)).toMatchObject({
            registry: ref.registry,
            repository: ref.repository,
            tag: ref.tag,
            digest: ref.digest,
          });
        },
      ),
    );
  });
});
