/**
 * docker's `identitytoken` (config.json entries written by `docker login` with a browser flow),
 * end to end: dockerConfigCredentials yields it, the probe trades it at the token realm with the
 * OAuth2 refresh-token grant (POST), and the real registry in token mode accepts the access token.
 * The token service allows no anonymous pulls, so only a token obtained this way opens the image.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from '../../../functions/credentials/docker-config.ts';
import type { CredentialProvider } from '../../../functions/credentials/types.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { createTestCertificates, type TestCertificates } from '../harness/certs.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret, stepNames } from '../probe/expectations.ts';

const PUSH_PASSWORD = `push-${randomUUID()}`;
const IDENTITY_TOKEN = `idt-${randomUUID()}`;

describe.runIf(registryTestsEnabled())(
  'docker identity tokens through the probe, against the real registry',
  () => {
    const image = buildMultiArchImage();
    let dir: string;
    let tokens: TokenServer;
    let registry: RunningRegistry;
    let certificates: TestCertificates;
    let basicRegistry: RunningRegistry;

    /** A provider reading a config.json whose entry for `host` is `entry`. */
    async function configWith(host: string, entry: Record<string, string>): Promise<CredentialProvider> {
      const path = join(dir, `${randomUUID()}.json`);
      await writeFile(path, JSON.stringify({ auths: { [host]: entry } }));
      return dockerConfigCredentials({ path });
    }

    const probe = (credentials: CredentialProvider, tokenCache = new TokenCache()): Promise<ProbeResult> =>
      probeImage(`${registry.host}/team/private:v1`, { plainHttp: true, credentials, tokenCache });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'canary-identity-'));
      certificates = await createTestCertificates();
      tokens = await startTokenServer({
        users: { pusher: PUSH_PASSWORD },
        refreshTokens: { [IDENTITY_TOKEN]: 'browser-user' },
        anonymousPull: false,
      });
      [registry, basicRegistry] = await Promise.all([
        startRegistry({ mode: 'token', tokenAuthority: tokens }),
        startRegistry({ mode: 'tls-basic', certificates, users: { pusher: PUSH_PASSWORD } }),
      ]);
      const pusher = { username: 'pusher', password: PUSH_PASSWORD };
      await Promise.all([
        pushImage({ ...registry, credentials: pusher }, 'team/private', 'v1', image),
        pushImage({ ...basicRegistry, credentials: pusher }, 'team/private', 'v1', image),
      ]);
      // The pushes logged in at the token service too; the tests count only the probe's requests.
      tokens.requests.length = 0;
    });

    afterEach(() => {
      tokens.requests.length = 0;
    });

    afterAll(async () => {
      await Promise.all([registry?.stop(), basicRegistry?.stop()]);
      await tokens?.stop();
      await certificates?.remove();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('trades the identity token for an access token with the OAuth2 refresh-token grant and is healthy', async () => {
      const result = await probe(await configWith(registry.host, { identitytoken: IDENTITY_TOKEN }));

      expectHealthy(result);
      expect(result.digest).toBe(image.digest);
      expect(tokens.requests).toEqual([
        expect.objectContaining({
          method: 'POST',
          grantType: 'refresh_token',
          clientId: 'registry-canary',
          service: tokens.service,
          scopes: ['repository:team/private:pull'],
          // The identity token is a bearer secret of its own: it goes in the form, not in a header.
          authorization: null,
          username: 'browser-user',
          status: 200,
        }),
      ]);
      expect(result.steps.find((s) => s.name === 'token')).toMatchObject({ method: 'POST', status: 200 });
    });

    it('puts neither the identity token nor the access token into the result', async () => {
      const result = await probe(await configWith(registry.host, { identitytoken: IDENTITY_TOKEN }));
      const issued = await fetch(tokens.realm, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          service: tokens.service,
          scope: 'repository:team/private:pull',
          client_id: 'test',
          refresh_token: IDENTITY_TOKEN,
        }),
      });
      const { access_token: accessToken } = (await issued.json()) as { access_token: string };
      // The header and claims of the JWT are stable across issues; its signature is not.
      const [header] = accessToken.split('.');

      const text = JSON.stringify(result);
      expectNoSecret(text, IDENTITY_TOKEN);
      expect(text).not.toContain(header);
    });

    it('reuses the access token for a second probe instead of posting again', async () => {
      const provider = await configWith(registry.host, { identitytoken: IDENTITY_TOKEN });
      const tokenCache = new TokenCache();

      expectHealthy(await probe(provider, tokenCache));
      const second = await probe(provider, tokenCache);

      expectHealthy(second);
      expect(tokens.requests).toHaveLength(1);
      expect(stepNames(second)).not.toContain('token');
    });

    it('fails with AUTH_FAILED when the token service rejects the identity token with invalid_grant', async () => {
      const revoked = `idt-revoked-${randomUUID()}`;

      const result = await probe(await configWith(registry.host, { identitytoken: revoked }));

      expectDiagnosis(result, 'AUTH_FAILED');
      expect(tokens.requests).toEqual([expect.objectContaining({ method: 'POST', status: 400 })]);
      expect(result.diagnosis!.evidence.join('\n')).toContain('invalid_grant');
      expectNoSecret(JSON.stringify(result), revoked);
    });

    it('fails with CREDENTIALS_UNAVAILABLE, saying why, when a Basic-only registry gets an identity token', async () => {
      const result = await probeImage(`${basicRegistry.host}/team/private:v1`, {
        caCertificates: [certificates.ca.certPem],
        credentials: await configWith(basicRegistry.host, { identitytoken: IDENTITY_TOKEN }),
      });

      expectDiagnosis(result, 'CREDENTIALS_UNAVAILABLE');
      expect(result.diagnosis!.evidence).toContain('providerCode: IdentityTokenNeedsBearer');
      expectNoSecret(JSON.stringify(result), IDENTITY_TOKEN);
    });
  },
);
