// The handshake of auth.ts step by step: what is sent, to whom, and what is left on the client.
import { describe, expect, it } from 'vitest';
import {
  CredentialsUnavailableError,
  type RegistryCredentials,
} from '../../../functions/credentials/types.ts';
import { answerChallenge, authenticate } from '../../../functions/registry/auth.ts';
import { parseWwwAuthenticate } from '../../../functions/registry/challenge.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { ChallengeParseError, ProtocolError, RealmRefusedError } from '../../../functions/registry/errors.ts';
import { profileForHost } from '../../../functions/registry/profiles.ts';
import { SecretScrubber } from '../../../functions/registry/redact.ts';
import { RegistryClient } from '../../../functions/registry/registry-client.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { type ScriptedAnswer, scriptedHttp } from './scripted-http.ts';

const BASIC: RegistryCredentials = { kind: 'basic', username: 'alice', password: 'hunter22' };
const IDENTITY: RegistryCredentials = { kind: 'identity-token', identityToken: 'refresh-token-xyz' };
const BEARER = 'Bearer realm="https://registry.example.com/token",service="registry.example.com"';
const tokenReply: ScriptedAnswer = { status: 200, body: '{"token":"issued-token-123","expires_in":300}' };

function setup(
  answers: ScriptedAnswer[],
  credentials: RegistryCredentials | null = null,
  cache = new TokenCache(),
) {
  const { http, requests } = scriptedHttp(answers);
  const registry = new RegistryClient(http, new URL('https://registry.example.com'), 'team/app');
  const scrubber = new SecretScrubber();
  const options = {
    credentials,
    tokenCache: cache,
    profile: profileForHost('registry.example.com'),
    scrubber,
  };
  const answer = (header: string) => answerChallenge(registry, parseWwwAuthenticate(header), header, options);
  return { registry, requests, scrubber, options, answer };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('resolved');
}

describe('authenticate', () => {
  it('sends nothing more when the ping is let in, even with credentials', async () => {
    const { registry, requests, options } = setup([{ status: 200 }], BASIC);
    expect(await authenticate(registry, options)).toEqual({
      scheme: 'none',
      challenge: null,
      tokenFromCache: false,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers?.['authorization']).toBeUndefined();
    expect(registry.authorization).toBeNull();
    expect(registry.credentialsGiven).toBe(false);
  });

  it("answers the ping's challenge", async () => {
    const { registry, options } = setup(
      [{ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }],
      BASIC,
    );
    expect(await authenticate(registry, options)).toEqual({
      scheme: 'basic',
      challenge: 'Basic realm="r"',
      tokenFromCache: false,
    });
  });
});

describe('authenticate with a challenge cache (challenge-cache.ts)', () => {
  it('pings once and remembers what /v2/ answered, for the next probe of the registry', async () => {
    const challengeCache = new ChallengeCache();
    const { registry, options } = setup(
      [{ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }],
      BASIC,
    );

    await authenticate(registry, { ...options, challengeCache });

    expect(challengeCache.get('https://registry.example.com')).toEqual({
      challenges: parseWwwAuthenticate('Basic realm="r"'),
      header: 'Basic realm="r"',
    });
  });

  it('answers a known challenge without a ping: Basic credentials go straight on the client', async () => {
    const challengeCache = new ChallengeCache();
    challengeCache.set('https://registry.example.com', {
      challenges: parseWwwAuthenticate('Basic realm="r"'),
      header: 'Basic realm="r"',
    });
    const { registry, requests, options } = setup([], BASIC);

    expect(await authenticate(registry, { ...options, challengeCache })).toEqual({
      scheme: 'basic',
      challenge: 'Basic realm="r"',
      tokenFromCache: false,
    });
    expect(requests).toHaveLength(0);
    expect(registry.authorization).toBe(`Basic ${Buffer.from('alice:hunter22').toString('base64')}`);
  });

  it('does not renew a known challenge by using it: it is read again 15 minutes after its ping', async () => {
    let now = 0;
    const challengeCache = new ChallengeCache(() => now);
    const { registry, requests, options } = setup([
      { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } },
      { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } },
    ]);
    await authenticate(registry, { ...options, challengeCache });
    now = 14 * 60 * 1000;
    await authenticate(registry, { ...options, challengeCache });
    expect(requests).toHaveLength(1);

    now = 15 * 60 * 1000;
    await authenticate(registry, { ...options, challengeCache });

    expect(requests).toHaveLength(2);
  });

  it('sends nothing for a registry known to let everyone in', async () => {
    const challengeCache = new ChallengeCache();
    challengeCache.set('https://registry.example.com', { challenges: [], header: null });
    const { registry, requests, options } = setup([], BASIC);

    expect((await authenticate(registry, { ...options, challengeCache })).scheme).toBe('none');
    expect(requests).toHaveLength(0);
    expect(registry.authorization).toBeNull();
  });

  it("keeps a known challenge apart from another registry's: another origin still pings", async () => {
    const challengeCache = new ChallengeCache();
    challengeCache.set('https://other.example.com', { challenges: [], header: null });
    const { registry, requests, options } = setup([{ status: 200 }]);

    await authenticate(registry, { ...options, challengeCache });

    expect(requests.map((r) => r.step)).toEqual(['ping']);
  });

  it("still checks the realm of a known Bearer challenge, with the probe's own credentials", async () => {
    const challengeCache = new ChallengeCache();
    const foreign = 'Bearer realm="https://collector.example.net/token",service="x"';
    challengeCache.set('https://registry.example.com', {
      challenges: parseWwwAuthenticate(foreign),
      header: foreign,
    });
    const { registry, requests, options } = setup([], BASIC);

    const error = await rejection(authenticate(registry, { ...options, challengeCache }));

    expect(error).toBeInstanceOf(RealmRefusedError);
    expect(requests).toHaveLength(0);
  });
});

describe('answerChallenge: Basic', () => {
  it('puts the credentials in a Basic header for the registry itself, sending nothing yet', async () => {
    const { registry, requests, answer } = setup([], BASIC);
    expect(await answer('Basic realm="Registry"')).toEqual({
      scheme: 'basic',
      challenge: 'Basic realm="Registry"',
      tokenFromCache: false,
    });
    expect(registry.authorization).toBe(`Basic ${Buffer.from('alice:hunter22').toString('base64')}`);
    expect(registry.credentialsGiven).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it('leaves an anonymous probe anonymous, so the manifest request can answer AUTH_REQUIRED', async () => {
    const { registry, answer } = setup([]);
    expect((await answer('Basic realm="Registry"')).scheme).toBe('basic');
    expect(registry.authorization).toBeNull();
    expect(registry.credentialsGiven).toBe(false);
  });

  it('refuses an identity token, which only a Bearer token service can exchange', async () => {
    const { registry, answer } = setup([], IDENTITY);
    const error = await rejection(answer('Basic realm="Registry"'));
    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect((error as CredentialsUnavailableError).providerCode).toBe('IdentityTokenNeedsBearer');
    expect((error as Error).message).toContain('only a Bearer token service can exchange');
    expect(registry.authorization).toBeNull();
  });
});

describe('answerChallenge: Bearer', () => {
  it('asks the realm anonymously for a pull token and sends it as Bearer', async () => {
    const { registry, requests, scrubber, answer } = setup([tokenReply]);
    expect(await answer(BEARER)).toEqual({ scheme: 'bearer', challenge: BEARER, tokenFromCache: false });
    expect(requests.map((r) => [r.step, r.method, r.url.toString()])).toEqual([
      [
        'token',
        'GET',
        'https://registry.example.com/token?service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull',
      ],
    ]);
    expect(requests[0]!.headers?.['authorization']).toBeUndefined();
    expect(registry.authorization).toBe('Bearer issued-token-123');
    expect(registry.credentialsGiven).toBe(false);
    expect(scrubber.scrub('token issued-token-123')).toBe('token ***');
  });

  it('sends Basic credentials to an allowed realm and marks them given', async () => {
    const { registry, requests, answer } = setup([tokenReply], BASIC);
    await answer(BEARER);
    expect(requests[0]!.headers?.['authorization']).toBe(
      `Basic ${Buffer.from('alice:hunter22').toString('base64')}`,
    );
    expect(registry.credentialsGiven).toBe(true);
  });

  it('exchanges an identity token with a POST to the realm', async () => {
    const { registry, requests, answer } = setup([tokenReply], IDENTITY);
    await answer(BEARER);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.body).toContain('refresh_token=refresh-token-xyz');
    expect(requests[0]!.body).toContain('scope=repository%3Ateam%2Fapp%3Apull');
    expect(registry.authorization).toBe('Bearer issued-token-123');
    expect(registry.credentialsGiven).toBe(true);
  });

  it('prefers Bearer when the registry offers Basic too', async () => {
    const { registry, answer } = setup([tokenReply], BASIC);
    expect((await answer(`Basic realm="r", ${BEARER}`)).scheme).toBe('bearer');
    expect(registry.authorization).toBe('Bearer issued-token-123');
  });

  it('takes the token from the cache without a request, and says so', async () => {
    const cache = new TokenCache();
    await setup([tokenReply], null, cache).answer(BEARER);
    const second = setup([], null, cache);
    expect(await second.answer(BEARER)).toEqual({
      scheme: 'bearer',
      challenge: BEARER,
      tokenFromCache: true,
    });
    expect(second.requests).toHaveLength(0);
    expect(second.registry.authorization).toBe('Bearer issued-token-123');
  });

  it('refuses a realm the policy refuses before sending anything to it', async () => {
    const { requests, answer } = setup([tokenReply], BASIC);
    const error = await rejection(answer('Bearer realm="https://evil.example.net/token"'));
    expect(error).toBeInstanceOf(RealmRefusedError);
    expect((error as RealmRefusedError).realm).toBe('https://evil.example.net/token');
    expect(requests).toHaveLength(0);
  });

  it('applies the credential rules with an identity token too', async () => {
    const { requests, answer } = setup([tokenReply], IDENTITY);
    expect(await rejection(answer('Bearer realm="https://evil.example.net/token"'))).toBeInstanceOf(
      RealmRefusedError,
    );
    expect(requests).toHaveLength(0);
  });

  it('lets an anonymous probe call a foreign realm', async () => {
    const { requests, answer } = setup([tokenReply]);
    await answer('Bearer realm="https://auth.other.example/token"');
    expect(requests[0]!.url.host).toBe('auth.other.example');
  });

  it('refuses a realm that is not an absolute URL as a malformed challenge', async () => {
    const header = 'Bearer realm="/token"';
    const error = await rejection(setup([]).answer(header));
    expect(error).toBeInstanceOf(ChallengeParseError);
    expect((error as ChallengeParseError).reason).toBe('the Bearer realm "/token" is not an absolute URL');
    expect((error as ChallengeParseError).header).toBe(header);
  });

  it('carries an empty header into the challenge error when none was recorded', async () => {
    const { registry, options } = setup([]);
    const error = await rejection(
      answerChallenge(registry, parseWwwAuthenticate('Bearer realm="x"'), null, options),
    );
    expect((error as ChallengeParseError).header).toBe('');
    const noRealm = await rejection(
      answerChallenge(registry, parseWwwAuthenticate('Bearer a=b'), null, options),
    );
    expect((noRealm as ChallengeParseError).header).toBe('');
  });
});

describe('answerChallenge: other schemes', () => {
  it('names the schemes it does not speak, with the header as evidence', async () => {
    const error = await rejection(setup([]).answer('Negotiate abc, NTLM'));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toBe(
      'GET https://registry.example.com/v2/: the registry offers only negotiate, ntlm authentication, which the probe does not speak',
    );
    expect((error as ProtocolError).evidence).toEqual(['WWW-Authenticate: Negotiate abc, NTLM']);
  });

  it('writes an empty header as evidence when none was recorded', async () => {
    const { registry, options } = setup([]);
    const error = await rejection(
      answerChallenge(registry, parseWwwAuthenticate('Digest realm="x"'), null, options),
    );
    expect((error as ProtocolError).evidence).toEqual(['WWW-Authenticate: ']);
  });
});
