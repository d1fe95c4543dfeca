/**
 * Each credential source end to end: the provider goes into `probeImage` as `credentials`, and the
 * probe walks the real CNCF distribution registry (TLS + htpasswd) the way `docker pull` does. AWS
 * is mocked at the SDK boundary (aws-sdk-client-mock); Google's token endpoint is a local HTTP
 * server that google-auth-library reaches through the key's token_uri. Every healthy result is
 * also scanned for the secret and its Basic encoding: a provider that leaks is as broken as one
 * that fails.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from '../../../functions/credentials/docker-config.ts';
import { ecrCredentials } from '../../../functions/credentials/ecr.ts';
import { googleCredentials } from '../../../functions/credentials/google.ts';
import type { CredentialProvider } from '../../../functions/credentials/types.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { createTestCertificates, type TestCertificates } from '../harness/certs.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { type RecordingServer, startHttpServer } from '../harness/servers.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret } from '../probe/expectations.ts';

const ECR_PASSWORD = `ecr-${randomUUID()}`;
const ACCESS_TOKEN = `ya29.${randomUUID()}`;
const DOCKER_PASSWORD = `dckr_pat_${randomUUID()}`;
const PRIVATE_KEY_ID = `key-${randomUUID()}`;

/** Google's token endpoint, played locally: an access token for any well-formed JWT-bearer grant. */
function googleTokenEndpoint(grants: string[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      grants.push(form.get('grant_type') ?? '');
      res.setHeader('content-type', 'application/json');
      if (
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ||
        !form.get('assertion')
      ) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'bad grant' }));
        return;
      }
      res.end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer' }));
    });
  };
}

function serviceAccountKey(tokenUri: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return JSON.stringify({
    type: 'service_account',
    project_id: 'canary-test',
    private_key_id: PRIVATE_KEY_ID,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'puller@canary-test.iam.gserviceaccount.com',
    token_uri: tokenUri,
  });
}

describe.runIf(registryTestsEnabled())(
  'credential sources through the probe, against the real registry',
  () => {
    const image = buildMultiArchImage();
    const ecr = mockClient(ECRClient);
    const grants: string[] = [];
    let dir: string;
    let certificates: TestCertificates;
    let registry: RunningRegistry;
    let googleTokens: RecordingServer;
    let jsonKey: string;

    const ref = (): string => `${registry.host}/team/app:v1`;
    // A fresh token cache per probe, so that no probe passes on a token another one obtained.
    const probe = (credentials: CredentialProvider): Promise<ProbeResult> =>
      probeImage(ref(), {
        credentials,
        caCertificates: [certificates.ca.certPem],
        tokenCache: new TokenCache(),
      });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'canary-creds-'));
      googleTokens = await startHttpServer(googleTokenEndpoint(grants));
      jsonKey = serviceAccountKey(`${googleTokens.url}/token`);
      certificates = await createTestCertificates();
      registry = await startRegistry({
        mode: 'tls-basic',
        certificates,
        users: {
          AWS: ECR_PASSWORD,
          oauth2accesstoken: ACCESS_TOKEN,
          hubuser: DOCKER_PASSWORD,
          _json_key: jsonKey,
        },
      });
      await pushImage(
        { ...registry, credentials: { username: 'AWS', password: ECR_PASSWORD } },
        'team/app',
        'v1',
        image,
      );
    });

    afterEach(() => {
      ecr.reset();
      grants.length = 0;
    });

    afterAll(async () => {
      ecr.restore();
      await registry?.stop();
      await googleTokens?.stop();
      await certificates?.remove();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('ECR: the password of the GetAuthorizationToken reply opens the registry as user AWS, asked once for two probes', async () => {
      ecr.on(GetAuthorizationTokenCommand).resolves({
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
            expiresAt: new Date(Date.now() + 12 * 3_600_000),
            proxyEndpoint: registry.url,
          },
        ],
      });
      const regions: string[] = [];
      const provider = ecrCredentials({
        region: 'eu-west-1',
        ecrClient: (region) => {
          regions.push(region);
          return new ECRClient({ region, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
        },
      });

      const first = await probe(provider);
      const second = await probe(provider);

      expectHealthy(first);
      expectHealthy(second);
      expect(first.digest).toBe(image.digest);
      // The token is valid for 12 hours: the second probe reuses it instead of calling ECR again.
      expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
      expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0]!.args[0].input).toEqual({});
      expect(regions).toEqual(['eu-west-1']);
      for (const result of [first, second]) expectNoSecret(JSON.stringify(result), ECR_PASSWORD, 'AWS');
    });

    it('ECR: a denied GetAuthorizationToken fails the probe with CREDENTIALS_UNAVAILABLE naming the AWS error', async () => {
      const denied = Object.assign(new Error('not authorized to perform ecr:GetAuthorizationToken'), {
        name: 'AccessDeniedException',
      });
      ecr.on(GetAuthorizationTokenCommand).rejects(denied);
      const provider = ecrCredentials({
        region: 'eu-west-1',
        ecrClient: (region) => new ECRClient({ region }),
      });

      const result = await probe(provider);

      expectDiagnosis(result, 'CREDENTIALS_UNAVAILABLE');
      expect(result.diagnosis!.evidence).toContain('providerCode: AccessDeniedException');
      // No credentials means the registry was never asked for the manifest.
      expect(result.steps.map((s) => s.name)).not.toContain('manifest-head');
    });

    it('Google _json_key: the service-account key itself opens the registry and shows up nowhere', async () => {
      const provider = googleCredentials({
        readKey: async () => jsonKey,
        keyLabel: 'test key',
        mode: 'json-key',
      });

      const result = await probe(provider);

      expectHealthy(result);
      const text = JSON.stringify(result);
      // JSON.stringify escapes the key's quotes, so look for it the way it would appear inside JSON too.
      expectNoSecret(text, jsonKey, '_json_key');
      expect(text).not.toContain(JSON.stringify(jsonKey).slice(1, -1));
      expect(text).not.toContain(PRIVATE_KEY_ID);
      expect(grants).toEqual([]);
    });

    it("Google access token: google-auth-library gets it from the key's token_uri and it opens the registry", async () => {
      const provider = googleCredentials({
        readKey: async () => jsonKey,
        keyLabel: 'test key',
        mode: 'access-token',
      });

      const result = await probe(provider);

      expectHealthy(result);
      expect(grants).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer']);
      expect(googleTokens.requests).toContainEqual(
        expect.objectContaining({ method: 'POST', url: '/token' }),
      );
      expectNoSecret(JSON.stringify(result), ACCESS_TOKEN, 'oauth2accesstoken');
    });

    it('docker config.json: the auths entry for host:port opens the registry', async () => {
      const path = join(dir, 'config.json');
      await writeFile(
        path,
        JSON.stringify({
          auths: { [registry.host]: { auth: Buffer.from(`hubuser:${DOCKER_PASSWORD}`).toString('base64') } },
        }),
      );

      const result = await probe(dockerConfigCredentials({ path }));

      expectHealthy(result);
      expectNoSecret(JSON.stringify(result), DOCKER_PASSWORD, 'hubuser');
    });

    it('docker config.json: a wrong password in the auths entry fails with AUTH_FAILED and is not shown', async () => {
      const wrong = `wrong-${randomUUID()}`;
      const path = join(dir, 'wrong-config.json');
      await writeFile(
        path,
        JSON.stringify({
          auths: { [registry.host]: { auth: Buffer.from(`hubuser:${wrong}`).toString('base64') } },
        }),
      );

      const result = await probe(dockerConfigCredentials({ path }));

      expectDiagnosis(result, 'AUTH_FAILED');
      expectNoSecret(JSON.stringify(result), wrong, 'hubuser');
    });

    it('docker config.json: a credsStore without an entry for the registry fails with CREDENTIALS_UNAVAILABLE naming the helper', async () => {
      const path = join(dir, 'store-config.json');
      await writeFile(path, JSON.stringify({ auths: {}, credsStore: 'desktop' }));

      const result = await probe(dockerConfigCredentials({ path }));

      expectDiagnosis(result, 'CREDENTIALS_UNAVAILABLE');
      expect(result.diagnosis!.summary).toContain('docker-credential-desktop');
      expect(result.diagnosis!.evidence).toContain('providerCode: CredentialHelperNotSupported');
    });
  },
);
