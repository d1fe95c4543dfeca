/**
 * The one recovery a refused request gets (auth.ts Relogin), by what it sends and what it leaves
 * on the client: the repository's own challenge answered when /v2/ was open, ECR's expired
 * 12-hour password replaced by the source once, a cached Bearer token the registry no longer
 * accepts forgotten and replaced by a fresh one. And every refusal it must NOT retry: retrying a
 * wrong password or a fresh token only repeats the refusal (and may lock the account).
 */
import { describe, expect, it } from 'vitest';
import type { RegistryCredentials } from '../../../functions/credentials/types.ts';
import { type AuthOptions, logIn } from '../../../functions/registry/auth.ts';
import { parseWwwAuthenticate } from '../../../functions/registry/challenge.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import type { HttpExchange } from '../../../functions/registry/http.ts';
import { profileForHost } from '../../../functions/registry/profiles.ts';
import { SecretScrubber } from '../../../functions/registry/redact.ts';
import { RegistryClient } from '../../../functions/registry/registry-client.ts';
import { TokenCache, tokenCacheKey } from '../../../functions/registry/token.ts';
import { ECR_EXPIRED_TOKEN, ECR_PUBLIC_INVALID_TOKEN } from '../../integration/harness/captures/aws.ts';
import { type ScriptedAnswer, scriptedHttp } from './scripted-http.ts';

const BASIC: RegistryCredentials = { kind: 'basic', username: 'alice', password: 'hunter22' };
const BEARER = 'Bearer realm="https://registry.example.com/token",service="registry.example.com"';
const basicHeader = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const token = (value: string): ScriptedAnswer => ({
  status: 200,
  body: JSON.stringify({ token: value, expires_in: 300 }),
});

/** A refused answer of the registry, as the client hands it to its recovery. */
function refusal(status: number, headers: Record<string, string> = {}, body = ''): HttpExchange {
  return {
    step: {
      name: 'manifest-get',
      method: 'GET',
      url: 'https://x/v2/',
      status,
      host: 'x',
      timings: {},
      reusedConnection: false,
    },
    status,
    headers,
    body: Buffer.from(body),
    bodyTruncated: false,
    tls: null,
    bodyMs: 0,
    proxy: null,
  } as unknown as HttpExchange;
}

function setup(
  host: string,
  answers: ScriptedAnswer[],
  over: Partial<AuthOptions> = {},
  cache = new TokenCache(),
) {
  const { http, requests } = scriptedHttp(answers);
  const registry = new RegistryClient(http, new URL(`https://${host}`), 'team/app');
  const options: AuthOptions = {
    credentials: null,
    tokenCache: cache,
    profile: profileForHost(host),
    scrubber: new SecretScrubber(),
    ...over,
  };
  return { registry, requests, options, recover: (r: HttpExchange) => registry.recovery!.recover(r) };
}

describe('Relogin: a repository that guards itself behind an open /v2/', () => {
  it("answers the repository's Basic challenge with the credentials", async () => {
    const { registry, options, recover } = setup('registry.example.com', [{ status: 200 }], {
      credentials: BASIC,
    });
    expect((await logIn(registry, options)).scheme).toBe('none');
    expect(await recover(refusal(401, { 'www-authenticate': 'Basic realm="Registry"' }))).toBe(true);
    expect(registry.authorization).toBe(basicHeader('alice', 'hunter22'));
    expect(registry.login).toEqual({
      scheme: 'basic',
      credentialsGiven: true,
      tokenGranted: false,
      relogins: 0,
    });
  });

  it("answers the repository's Bearer challenge with a token from its realm", async () => {
    const { registry, requests, options, recover } = setup('registry.example.com', [
      { status: 200 },
      token('repo-token'),
    ]);
    await logIn(registry, options);
    expect(await recover(refusal(401, { 'www-authenticate': BEARER }))).toBe(true);
    expect(requests.map((r) => r.step)).toEqual(['ping', 'token']);
    expect(registry.authorization).toBe('Bearer repo-token');
    expect(registry.login).toEqual({
      scheme: 'bearer',
      credentialsGiven: false,
      tokenGranted: true,
      relogins: 0,
    });
  });

  it('does not answer a 403 with a challenge, nor a 401 without one', async () => {
    for (const refused of [refusal(403, { 'www-authenticate': BEARER }), refusal(401)]) {
      const { registry, requests, options, recover } = setup('registry.example.com', [{ status: 200 }]);
      await logIn(registry, options);
      expect(await recover(refused)).toBe(false);
      expect(requests).toHaveLength(1);
      expect(registry.authorization).toBeNull();
    }
  });
});

describe("Relogin: ECR's expired 12-hour password", () => {
  const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const challenge = {
    status: 401,
    headers: { 'www-authenticate': `Basic realm="https://${ECR}/",service="ecr.amazonaws.com"` },
  };
  const expired = () =>
    refusal(
      ECR_EXPIRED_TOKEN.response.status,
      ECR_EXPIRED_TOKEN.response.headers,
      ECR_EXPIRED_TOKEN.response.body,
    );
  const FRESH: RegistryCredentials = { kind: 'basic', username: 'AWS', password: 'fresh-ecr-password' };

  it('asks the source for fresh credentials once, logs in with them and scrubs them', async () => {
    let asked = 0;
    const refreshCredentials = async () => {
      asked += 1;
      return FRESH;
    };
    const { registry, requests, options, recover } = setup(ECR, [challenge, challenge], {
      credentials: { kind: 'basic', username: 'AWS', password: 'old-ecr-password' },
      refreshCredentials,
    });
    await logIn(registry, options);
    expect(await recover(expired())).toBe(true);
    expect(asked).toBe(1);
    expect(requests.map((r) => r.step)).toEqual(['ping', 'ping']);
    expect(registry.authorization).toBe(basicHeader('AWS', 'fresh-ecr-password'));
    expect(registry.login).toEqual({
      scheme: 'basic',
      credentialsGiven: true,
      tokenGranted: false,
      relogins: 1,
    });
    expect(options.scrubber.scrub('password fresh-ecr-password')).toBe('password ***');
  });

  it('goes anonymous, not with the old password, when the source has nothing fresher', async () => {
    const { registry, options, recover } = setup(ECR, [challenge, challenge], {
      credentials: BASIC,
      refreshCredentials: async () => null,
    });
    await logIn(registry, options);
    expect(await recover(expired())).toBe(true);
    expect(registry.authorization).toBeNull();
    expect(registry.login).toEqual({
      scheme: 'basic',
      credentialsGiven: false,
      tokenGranted: false,
      relogins: 1,
    });
  });

  it('asks for no fresh credentials when none were sent: /v2/ was open and the login was never Basic', async () => {
    let asked = 0;
    const { registry, requests, options, recover } = setup(ECR, [{ status: 200 }], {
      credentials: BASIC,
      refreshCredentials: async () => {
        asked += 1;
        return FRESH;
      },
    });
    await logIn(registry, options);
    expect(await recover(expired())).toBe(false);
    expect(asked).toBe(0);
    expect(requests).toHaveLength(1);
  });

  it('retries nothing without a source to refresh, or for a 403 that is not the expired token', async () => {
    const denied = refusal(
      403,
      {},
      '{"errors":[{"code":"DENIED","message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:BatchGetImage"}]}',
    );
    for (const [over, refused] of [
      [{ credentials: BASIC }, expired()],
      [{ credentials: BASIC, refreshCredentials: async () => FRESH }, denied],
    ] as const) {
      const { registry, requests, options, recover } = setup(ECR, [challenge], over);
      await logIn(registry, options);
      expect(await recover(refused)).toBe(false);
      expect(requests).toHaveLength(1);
      expect(registry.authorization).toBe(basicHeader('alice', 'hunter22'));
      expect(registry.relogins).toBe(0);
    }
  });
});

describe('Relogin: a cached Bearer token the registry no longer accepts', () => {
  const ping = { status: 401, headers: { 'www-authenticate': BEARER } };

  /** A client whose token comes from the cache, filled by an earlier probe. */
  async function warm(answers: ScriptedAnswer[], host = 'registry.example.com', challenge = ping) {
    const cache = new TokenCache();
    const earlier = setup(host, [challenge, token('cached-token')], {}, cache);
    await logIn(earlier.registry, earlier.options);
    const now = setup(host, [challenge, ...answers], {}, cache);
    expect((await logIn(now.registry, now.options)).tokenFromCache).toBe(true);
    expect(now.registry.authorization).toBe('Bearer cached-token');
    return { ...now, cache };
  }

  it('forgets it, asks the realm for a fresh one, and counts the re-login', async () => {
    const { registry, requests, recover, cache } = await warm([ping, token('fresh-token')]);
    expect(await recover(refusal(401, { 'www-authenticate': BEARER }))).toBe(true);
    expect(requests.map((r) => r.step)).toEqual(['ping', 'ping', 'token']);
    expect(registry.authorization).toBe('Bearer fresh-token');
    expect(registry.login).toEqual({
      scheme: 'bearer',
      credentialsGiven: false,
      tokenGranted: true,
      relogins: 1,
    });
    // The refused token is gone from the cache: the next probe of this warm Lambda gets the fresh one.
    const next = setup('registry.example.com', [ping], {}, cache);
    await logIn(next.registry, next.options);
    expect(next.registry.authorization).toBe('Bearer fresh-token');
  });

  it('renews on ECR Public\'s 400 "Your Authorization Token is invalid.", which carries no challenge', async () => {
    const challenge = {
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",scope="aws"',
      },
    };
    const { registry, recover } = await warm(
      [challenge, token('fresh-public-token')],
      'public.ecr.aws',
      challenge,
    );
    const { status, headers, body } = ECR_PUBLIC_INVALID_TOKEN.response;
    expect(await recover(refusal(status, headers, body))).toBe(true);
    expect(registry.authorization).toBe('Bearer fresh-public-token');
    expect(registry.relogins).toBe(1);
  });

  it('renews a cached token the dialect reads as expired (an ECR 403 on a Bearer login)', async () => {
    const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const challenge = {
      status: 401,
      headers: { 'www-authenticate': `Bearer realm="https://${ECR}/token",service="ecr.amazonaws.com"` },
    };
    const { registry, recover } = await warm([challenge, token('fresh-ecr-token')], ECR, challenge);
    const { status, headers, body } = ECR_EXPIRED_TOKEN.response;
    expect(await recover(refusal(status, headers, body))).toBe(true);
    expect(registry.authorization).toBe('Bearer fresh-ecr-token');
  });

  it('does not renew on a 403 the dialect does not read as a refused token (a private repository)', async () => {
    const { registry, requests, recover } = await warm([]);
    expect(
      await recover(
        refusal(
          403,
          {},
          '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
        ),
      ),
    ).toBe(false);
    expect(requests).toHaveLength(1);
    expect(registry.authorization).toBe('Bearer cached-token');
  });

  it('does not ask again for a token fresh from the realm: it would hand out the same answer', async () => {
    const { registry, requests, options, recover } = setup('registry.example.com', [
      ping,
      token('fresh-token'),
    ]);
    expect((await logIn(registry, options)).tokenFromCache).toBe(false);
    expect(await recover(refusal(401, { 'www-authenticate': BEARER }))).toBe(false);
    expect(requests).toHaveLength(2);
    expect(registry.relogins).toBe(0);
  });
});

describe('answerChallenge: what it leaves on the client', () => {
  it('takes Basic among schemes it does not speak, and says so in the login state', async () => {
    const { registry, options } = setup(
      'registry.example.com',
      [{ status: 401, headers: { 'www-authenticate': 'Negotiate, Basic realm="Registry"' } }],
      { credentials: BASIC },
    );
    expect((await logIn(registry, options)).scheme).toBe('basic');
    expect(registry.login.scheme).toBe('basic');
  });
});

describe('Relogin: a login that answered a known challenge (challenge-cache.ts)', () => {
  const origin = 'https://registry.example.com';

  it('pings again, replaces the known challenge and answers the new one when the registry answers 401', async () => {
    const challengeCache = new ChallengeCache();
    challengeCache.set(origin, {
      challenges: parseWwwAuthenticate('Basic realm="old"'),
      header: 'Basic realm="old"',
    });
    const { registry, requests, options, recover } = setup(
      'registry.example.com',
      [{ status: 401, headers: { 'www-authenticate': BEARER } }, token('fresh-token')],
      { credentials: BASIC, challengeCache },
    );
    expect((await logIn(registry, options)).scheme).toBe('basic');
    expect(requests).toHaveLength(0);

    expect(await recover(refusal(401))).toBe(true);

    expect(requests.map((r) => r.step)).toEqual(['ping', 'token']);
    expect(registry.authorization).toBe('Bearer fresh-token');
    expect(challengeCache.get(origin)?.header).toBe(BEARER);
    // Not a refused cached token: the diagnosis must not say the client logged in again after one.
    expect(registry.login.relogins).toBe(0);
  });

  it('leaves the probe anonymous when the fresh ping finds the registry open', async () => {
    const challengeCache = new ChallengeCache();
    challengeCache.set(origin, {
      challenges: parseWwwAuthenticate('Basic realm="old"'),
      header: 'Basic realm="old"',
    });
    const { registry, options, recover } = setup('registry.example.com', [{ status: 200 }], {
      credentials: BASIC,
      challengeCache,
    });
    await logIn(registry, options);
    expect(registry.credentialsGiven).toBe(true);

    expect(await recover(refusal(401))).toBe(true);

    expect(registry.authorization).toBeNull();
    expect(registry.credentialsGiven).toBe(false);
    expect(challengeCache.get(origin)).toEqual({ challenges: [], header: null });
  });

  it('does not ping again for a refusal other than 401', async () => {
    const challengeCache = new ChallengeCache();
    challengeCache.set(origin, {
      challenges: parseWwwAuthenticate('Basic realm="r"'),
      header: 'Basic realm="r"',
    });
    const { registry, requests, options, recover } = setup('registry.example.com', [], {
      credentials: BASIC,
      challengeCache,
    });
    await logIn(registry, options);

    expect(await recover(refusal(403))).toBe(false);
    expect(requests).toHaveLength(0);
    expect(challengeCache.get(origin)).not.toBeNull();
  });

  it('does not ping again after a 401 when the challenge came from its own ping', async () => {
    const challengeCache = new ChallengeCache();
    const { registry, requests, options, recover } = setup(
      'registry.example.com',
      [{ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }],
      { credentials: BASIC, challengeCache },
    );
    await logIn(registry, options);

    expect(await recover(refusal(401))).toBe(false);
    expect(requests.map((r) => r.step)).toEqual(['ping']);
  });

  it('logs in afresh with a fresh ping when a cached token from a known challenge is refused', async () => {
    const cache = new TokenCache();
    const challengeCache = new ChallengeCache();
    challengeCache.set(origin, { challenges: parseWwwAuthenticate(BEARER), header: BEARER });
    cache.set(
      tokenCacheKey({
        realm: new URL('https://registry.example.com/token'),
        service: 'registry.example.com',
        scope: 'repository:team/app:pull',
        credentials: null,
      }),
      'stale-token',
      300,
    );
    const { registry, requests, options, recover } = setup(
      'registry.example.com',
      [{ status: 401, headers: { 'www-authenticate': BEARER } }, token('fresh-token')],
      { challengeCache },
      cache,
    );
    expect((await logIn(registry, options)).tokenFromCache).toBe(true);
    expect(requests).toHaveLength(0);

    expect(await recover(refusal(401))).toBe(true);

    expect(requests.map((r) => r.step)).toEqual(['ping', 'token']);
    expect(registry.authorization).toBe('Bearer fresh-token');
    expect(registry.login.relogins).toBe(1);
  });
});
