/**
 * A registry that names a token realm on another host must not get the probe to send its
 * credentials there. The real registry runs in token mode on 127.0.0.1 and names the realm
 * http://localhost:PORT/token. The realm policy compares host names, and for it localhost is
 * another host: it is not 127.0.0.1, no profile trusts it, and neither an IP literal nor a bare
 * "localhost" has a registrable domain, so no same-owner rule applies either. The control test
 * shows that the realm is reachable and would answer, so "it received nothing" means refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret } from '../probe/expectations.ts';

const PASSWORD = `dckr_pat_${randomUUID()}`;

describe.runIf(registryTestsEnabled())('a token realm on a foreign host, against the real registry', () => {
  const image = buildMultiArchImage();
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let foreignRealm: string;
  const ref = (): string => `${registry.host}/library/app:v1`;

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { reader: PASSWORD } });
    foreignRealm = `http://localhost:${new URL(tokens.url).port}/token`;
    registry = await startRegistry({ mode: 'token', tokenAuthority: { ...tokens, realm: foreignRealm } });
    // The harness's push client has no realm policy: it follows the challenge to localhost.
    await pushImage(
      { ...registry, credentials: { username: 'reader', password: PASSWORD } },
      'library/app',
      'v1',
      image,
    );
    tokens.requests.length = 0;
  });

  afterEach(() => {
    tokens.requests.length = 0;
  });

  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('control: without credentials the probe may use the foreign realm, and it answers', async () => {
    const result = await probeImage(ref(), {
      plainHttp: true,
      tokenCache: new TokenCache(),
      challengeCache: new ChallengeCache(),
    });

    expectHealthy(result);
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0]).toMatchObject({ authorization: null, status: 200 });
  });

  it('refuses the realm with credentials: the token server receives no request and the password is nowhere', async () => {
    const result = await probeImage(ref(), {
      plainHttp: true,
      tokenCache: new TokenCache(),
      challengeCache: new ChallengeCache(),
      credentials: basicCredentials('reader', PASSWORD),
    });

    expectDiagnosis(result, 'TOKEN_SERVICE_ERROR');
    expect(tokens.requests).toEqual([]);
    expect(result.steps.map((s) => s.name)).toEqual(['ping']);
    expect(result.diagnosis!.evidence).toContain(`realm: ${foreignRealm}`);
    expect(result.diagnosis!.evidence.join('\n')).toMatch(
      /is on localhost, which is neither the registry 127\.0\.0\.1/,
    );
    expectNoSecret(JSON.stringify(result), PASSWORD, 'reader');
  });
});
