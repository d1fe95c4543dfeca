import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeUrl, redactUrl, SecretScrubber } from '../../../functions/registry/redact.ts';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('redactUrl', () => {
  it('removes user-info from a URL', () => {
    expect(redactUrl('https://alice:s3cret-pass@registry.example.com:5000/v2/a/manifests/1')).toBe(
      'https://registry.example.com:5000/v2/a/manifests/1',
    );
  });

  it('removes a username given without a password', () => {
    expect(redactUrl(new URL('https://ghp_abcdefgh@ghcr.io/v2/'))).toBe('https://ghcr.io/v2/');
  });

  // Storage redirects as the registries send them (see the comment on SECRET_QUERY_PARAM).
  it.each([
    ['S3 / R2 pre-signed', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Security-Token'],
    ['GCS signed', 'X-Goog-Credential', 'X-Goog-Signature', 'access_token'],
    ['CloudFront signed', 'Signature', 'Key', 'password'],
    ['Azure SAS', 'sig', 'secret', 'auth'],
    ['Docker Hub storage', 'verify', 'token', 'client_secret'],
  ])('replaces the secret values of a %s URL', (_kind, ...names) => {
    const url = new URL('https://storage.example.com/blobs/data');
    for (const name of names) url.searchParams.set(name, `value-of-${name}`);
    url.searchParams.set('X-Amz-Expires', '1200');
    const redacted = redactUrl(url);
    for (const name of names) expect(redacted).not.toContain(`value-of-${name}`);
    expect(new URL(redacted).searchParams.getAll(names[0]!)).toEqual(['REDACTED']);
    expect(redacted).toContain('X-Amz-Expires=1200');
  });

  it('redacts the verify signature of a captured Docker Hub blob redirect', () => {
    const location =
      'https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/d7/d72dd106d3f8b26f63d256731da5da17f4fe7a8f7bc180c8f176cd757d2cefde/data?verify=1571741472-uPpr%2F4fiyi2ZixtR%2FK5AwxUatZQ%3D';
    expect(redactUrl(location)).toBe(
      'https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/d7/d72dd106d3f8b26f63d256731da5da17f4fe7a8f7bc180c8f176cd757d2cefde/data?verify=REDACTED',
    );
  });

  it('replaces every value of a repeated secret parameter with one REDACTED', () => {
    expect(redactUrl('https://h.example/p?token=a&x=1&token=b')).toBe(
      'https://h.example/p?token=REDACTED&x=1',
    );
  });

  it('matches secret parameter names in any case', () => {
    expect(redactUrl('https://h.example/p?TOKEN=a&Password=b')).toBe(
      'https://h.example/p?TOKEN=REDACTED&Password=REDACTED',
    );
  });

  // sig, key and verify are secrets only as whole names; these parameters grant nothing.
  it.each(['design', 'sigma', 'cosig', 'keyword', 'monkey', 'verifyssl', 'preverify', 'scope', 'service'])(
    'keeps the value of the ordinary parameter %s',
    (name) => {
      expect(redactUrl(`https://h.example/p?${name}=visible`)).toBe(`https://h.example/p?${name}=visible`);
    },
  );

  it('says an unparsable URL is unparsable instead of echoing it', () => {
    expect(redactUrl('not a url with password hunter22')).toBe('<unparsable URL>');
  });

  it('never returns the password or a secret query value of any URL (law)', () => {
    const word = fc.stringMatching(/^[a-zA-Z0-9]{6,16}$/);
    fc.assert(
      fc.property(word, word, word, (user, password, value) => {
        fc.pre(!'https://registry.example.com/v2/?token=REDACTED'.includes(password));
        fc.pre(!'https://registry.example.com/v2/?token=REDACTED'.includes(value));
        const redacted = redactUrl(`https://${user}:${password}@registry.example.com/v2/?token=${value}`);
        expect(redacted).not.toContain(password);
        expect(redacted).not.toContain(value);
        expect(redacted).toBe('https://registry.example.com/v2/?token=REDACTED');
      }),
    );
  });
});

describe('describeUrl', () => {
  it('keeps scheme, host with port and path, and drops user-info, query and fragment', () => {
    expect(describeUrl('https://u:p@auth.example.com:8443/token?scope=x&token=y#frag')).toBe(
      'https://auth.example.com:8443/token',
    );
  });

  it('accepts a URL object', () => {
    expect(describeUrl(new URL('http://127.0.0.1:5000/v2/'))).toBe('http://127.0.0.1:5000/v2/');
  });

  it('says an unparsable URL is unparsable instead of echoing it', () => {
    expect(describeUrl('::secret::')).toBe('<unparsable URL>');
  });
});

describe('SecretScrubber', () => {
  it('replaces a password everywhere it appears', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('hunter22');
    expect(scrubber.scrub('login hunter22 failed; retry with hunter22')).toBe(
      'login *** failed; retry with ***',
    );
  });

  it('replaces the base64 Basic form of username and password', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('hunter22', 'alice');
    const header = `authorization: Basic ${base64('alice:hunter22')}`;
    expect(scrubber.scrub(header)).toBe('authorization: Basic ***');
  });

  it('replaces the Basic form with an empty username (token-only registries)', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('ghp_tokenvalue', '');
    expect(scrubber.scrub(`Basic ${base64(':ghp_tokenvalue')}`)).toBe('Basic ***');
  });

  it('replaces a bearer token and an identity token', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('eyJhbGciOiJSUzI1NiJ9.payload.signature');
    scrubber.add('identity-refresh-token-123');
    expect(
      scrubber.scrub(
        'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature; refresh_token=identity-refresh-token-123',
      ),
    ).toBe('Authorization: Bearer ***; refresh_token=***');
  });

  it('replaces a token that contains the password whole, not around the password', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('pass', 'alice');
    scrubber.add('tok-pass-tail');
    expect(scrubber.scrub('Bearer tok-pass-tail')).toBe('Bearer ***');
  });

  it('ignores secrets shorter than 4 characters, which would garble text', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('abc');
    expect(scrubber.scrub('abc abcd')).toBe('abc abcd');
  });

  it('scrubs a secret of exactly 4 characters', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('abcd');
    expect(scrubber.scrub('abc abcd')).toBe('abc ***');
  });

  it.each([null, undefined, ''])('ignores the absent secret %j', (secret) => {
    const scrubber = new SecretScrubber();
    scrubber.add(secret, 'alice');
    expect(scrubber.scrub(`alice ${base64('alice:')} ${base64('alice:null')}`)).toBe(
      `alice ${base64('alice:')} ${base64('alice:null')}`,
    );
  });

  it('adds no Basic form without a username', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('hunter22');
    const basicOfUndefined = base64('undefined:hunter22');
    expect(scrubber.scrub(basicOfUndefined)).toBe(basicOfUndefined);
  });

  it('leaves text alone when it knows no secret', () => {
    expect(new SecretScrubber().scrub('nothing to hide')).toBe('nothing to hide');
  });

  // Laws: whatever the text, no added secret survives, and text without secrets is unchanged.
  const secret = fc.stringMatching(/^[A-Za-z0-9+/=_.-]{4,24}$/);
  it('never leaves an added secret, or its Basic form, in the output (law)', () => {
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }),
        (secrets, username, filler) => {
          const scrubber = new SecretScrubber();
          for (const s of secrets) scrubber.add(s, username);
          const pieces = secrets.flatMap((s, i) => [filler[i] ?? ' ', s, base64(`${username}:${s}`)]);
          const out = scrubber.scrub(pieces.join(''));
          for (const s of secrets) {
            expect(out).not.toContain(s);
            expect(out).not.toContain(base64(`${username}:${s}`));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns text that contains no secret unchanged (law)', () => {
    fc.assert(
      fc.property(secret, fc.string({ maxLength: 40 }), (s, text) => {
        fc.pre(!text.includes(s));
        const scrubber = new SecretScrubber();
        scrubber.add(s);
        expect(scrubber.scrub(text)).toBe(text);
      }),
    );
  });
});
