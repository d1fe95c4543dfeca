/**
 * The probe against the real registry over TLS (a CA the suite generates) with htpasswd Basic
 * auth: the users other registries hand out (ECR's `AWS`, Google's `_json_key` and
 * `oauth2accesstoken`), rejected and missing credentials, and what the probe reads from the
 * certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { ConnectionPool } from '../../../functions/registry/connection-pool.ts';
import { createTestCertificates, type TestCertificates } from '../harness/certs.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis, expectHealthy, expectNoSecret, expectPlausibleTimings } from './expectations.ts';

const ECR_PASSWORD = `eyJwYXlsb2FkIjoi${crypto.randomUUID()}`;
const JSON_KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'canary-test',
  private_key_id: crypto.randomUUID(),
  client_email: 'probe@canary-test.iam.gserviceaccount.com',
});
const ACCESS_TOKEN = `ya29.${crypto.randomUUID()}`;

describe.runIf(registryTestsEnabled())('probe against a TLS registry with Basic auth', () => {
  const image = buildMultiArchImage();
  let certificates: TestCertificates;
  let registry: RunningRegistry;
  const ref = (): string => `${registry.host}/team/app:v1`;
  const trusted = (): { caCertificates: string[] } => ({ caCertificates: [certificates.ca.certPem] });

  beforeAll(async () => {
    certificates = await createTestCertificates();
    registry = await startRegistry({
      mode: 'tls-basic',
      certificates,
      users: { AWS: ECR_PASSWORD, _json_key: JSON_KEY, oauth2accesstoken: ACCESS_TOKEN },
    });
    await pushImage(
      { ...registry, credentials: { username: 'AWS', password: ECR_PASSWORD } },
      'team/app',
      'v1',
      image,
    );
  });

  afterAll(async () => {
    await registry?.stop();
    await certificates?.remove();
  });

  it('reports the image as healthy with the ECR-style user AWS and the suite CA trusted', async () => {
    const result = await probeCold(ref(), {
      ...trusted(),
      credentials: basicCredentials('AWS', ECR_PASSWORD),
    });

    expectHealthy(result);
    expect(result.digest).toBe(image.digest);
  });

  it('accepts a service-account JSON key as the password of _json_key', async () => {
    const result = await probeCold(ref(), {
      ...trusted(),
      credentials: basicCredentials('_json_key', JSON_KEY),
    });

    expectHealthy(result);
  });

  it('accepts an OAuth access token as the password of oauth2accesstoken', async () => {
    const result = await probeCold(ref(), {
      ...trusted(),
      credentials: basicCredentials('oauth2accesstoken', ACCESS_TOKEN),
    });

    expectHealthy(result);
  });

  it('reads subject, issuer, expiry and protocol from the served certificate', async () => {
    const result = await probeCold(ref(), {
      ...trusted(),
      credentials: basicCredentials('AWS', ECR_PASSWORD),
    });

    expect(result.tls).not.toBeNull();
    expect(result.tls!.subject).toContain('127.0.0.1');
    expect(result.tls!.issuer).toContain('registry-canary test CA');
    expect(result.tls!.daysRemaining).toBeGreaterThanOrEqual(363);
    expect(result.tls!.daysRemaining).toBeLessThanOrEqual(365);
    expect(Date.parse(result.tls!.validTo)).toBeGreaterThan(Date.now());
    expect(result.tls!.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it("reuses the previous probe's connection for the next probe of the registry, certificate and all", async () => {
    const connectionPool = new ConnectionPool();
    const challengeCache = new ChallengeCache();
    const shared = { ...trusted(), credentials: basicCredentials('AWS', ECR_PASSWORD), challengeCache };
    try {
      const first = await probeCold(ref(), { ...shared, connectionPool });
      const second = await probeCold(ref(), { ...shared, connectionPool });

      expectHealthy(second);
      expect(first.steps[0]).toMatchObject({ name: 'ping', reusedConnection: false });
      expect(first.steps[0]!.timings.tlsMs).not.toBeNull();
      // Over HTTP/2 the connection survives the first probe's closing blob HEAD (over HTTP/1.1 the
      // distribution registry answers every HEAD with Connection: close).
      expect(first.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
      // No ping (the registry's challenge is known) and no handshake (the connection is reused).
      expect(second.steps[0]).toMatchObject({ name: 'manifest-get', reusedConnection: true });
      expect(second.steps.every((s) => s.reusedConnection && s.timings.tlsMs === null)).toBe(true);
      expect(second.tls).toEqual({ ...first.tls, daysRemaining: second.tls!.daysRemaining });
    } finally {
      await connectionPool.clear();
    }
  });

  it('measures a TLS handshake on the first connection', async () => {
    const result = await probeCold(ref(), {
      ...trusted(),
      credentials: basicCredentials('AWS', ECR_PASSWORD),
    });

    expectPlausibleTimings(result, 10_000);
    expect(result.steps[0]!.timings.tlsMs).toBeGreaterThan(0);
    expect(result.steps[0]!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v2\/$/);
  });

  it('fails with AUTH_FAILED when the password is wrong, and never shows it', async () => {
    const wrong = `wrong-${crypto.randomUUID()}`;

    const result = await probeCold(ref(), { ...trusted(), credentials: basicCredentials('AWS', wrong) });

    expectDiagnosis(result, 'AUTH_FAILED');
    expectNoSecret(JSON.stringify(result), wrong, 'AWS');
  });

  it('never shows a correct password anywhere in a healthy result', async () => {
    const result = await probeCold(ref(), {
      ...trusted(),
      credentials: basicCredentials('AWS', ECR_PASSWORD),
    });

    expectNoSecret(JSON.stringify(result), ECR_PASSWORD, 'AWS');
  });

  it('fails with AUTH_REQUIRED when the registry asks for credentials and none were given', async () => {
    const result = await probeCold(ref(), trusted());

    expectDiagnosis(result, 'AUTH_REQUIRED');
    expect(result.steps[0]).toMatchObject({ name: 'ping', status: 401 });
    expect(result.steps.at(-1)!.status).toBe(401);
  });

  it('warns CERT_EXPIRING and reports degraded when the certificate ends within 14 days', async () => {
    const expiring = await startRegistry({
      mode: 'tls-basic',
      certificates,
      serve: 'expiring',
      storageDir: registry.storageDir,
      users: { AWS: ECR_PASSWORD },
    });
    try {
      const result = await probeCold(`${expiring.host}/team/app:v1`, {
        ...trusted(),
        credentials: basicCredentials('AWS', ECR_PASSWORD),
      });

      expect(result.status).toBe('degraded');
      expect(result.diagnosis).toBeNull();
      expect(result.warnings.map((w) => w.code)).toEqual(['CERT_EXPIRING']);
      expect(result.tls!.daysRemaining).toBeLessThanOrEqual(5);
    } finally {
      await expiring.stop();
    }
  });
});

describe.runIf(registryTestsEnabled())('probe against a registry with a bad certificate', () => {
  let certificates: TestCertificates;
  const registries: Partial<Record<'expired' | 'wrong-host' | 'unknown-ca', RunningRegistry>> = {};
  const probe = (kind: keyof typeof registries) =>
    probeCold(`${registries[kind]!.host}/team/app:v1`, { caCertificates: [certificates.ca.certPem] });

  beforeAll(async () => {
    certificates = await createTestCertificates();
    await Promise.all(
      (['expired', 'wrong-host', 'unknown-ca'] as const).map(async (kind) => {
        registries[kind] = await startRegistry({ mode: 'tls-basic', certificates, serve: kind, users: {} });
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(Object.values(registries).map((r) => r.stop()));
    await certificates?.remove();
  });

  it('fails with TLS_EXPIRED when the registry presents an expired certificate', async () => {
    const result = await probe('expired');

    expectDiagnosis(result, 'TLS_EXPIRED');
    expect(result.steps[0]).toMatchObject({ name: 'ping', status: null });
  });

  it('fails with TLS_HOSTNAME_MISMATCH when the certificate is for another host name', async () => {
    const result = await probe('wrong-host');

    expectDiagnosis(result, 'TLS_HOSTNAME_MISMATCH');
    expect(result.diagnosis!.evidence.join('\n')).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('fails with TLS_UNTRUSTED when the certificate comes from a CA the probe was not given', async () => {
    const result = await probe('unknown-ca');

    expectDiagnosis(result, 'TLS_UNTRUSTED');
  });

  it('fails with TLS_UNTRUSTED against a valid certificate when the suite CA is not trusted', async () => {
    const valid = await startRegistry({ mode: 'tls-basic', certificates, users: {} });
    try {
      const result = await probeCold(`${valid.host}/team/app:v1`);

      expectDiagnosis(result, 'TLS_UNTRUSTED');
    } finally {
      await valid.stop();
    }
  });
});
