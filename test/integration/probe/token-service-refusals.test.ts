/**
 * A token service that refuses the token request itself, in front of the real distribution
 * registry in token mode: the ping and challenge are the registry's, the token answer is GHCR's
 * captured 403 DENIED (captures/ghcr-quay.ts GHCR_TOKEN_DENIED: coollabsio/coolify#5575 for the
 * status at /token, Bossett/bsky-feeds#155 for the body). GHCR's dialect reads it as "missing or
 * not yours", as a refusal after a token; the generic profile still says DENIED, so removing the
 * rule fails these tests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import type { ProbeOptions } from '../../../functions/probe/options.ts';
import type { RegistryProfileName } from '../../../functions/registry/profiles.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { GHCR_TOKEN_DENIED } from '../harness/captures/index.ts';
import { buildSingleArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis, stepNames } from './expectations.ts';

const PASSWORD = `pw-${crypto.randomUUID()}`;

describe.runIf(registryTestsEnabled())('GHCR: the token request itself refused with 403 DENIED', () => {
  let tokens: TokenServer;
  let registry: RunningRegistry;

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { pusher: PASSWORD, reader: PASSWORD } });
    registry = await startRegistry({ mode: 'token', tokenAuthority: tokens });
    const pusher = { username: 'pusher', password: PASSWORD };
    await pushImage({ ...registry, credentials: pusher }, 'owner/app', 'v1', buildSingleArchImage());
  });

  afterEach(() => tokens.setFault(null));

  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  function probe(profile: RegistryProfileName, options: Partial<ProbeOptions> = {}) {
    tokens.setFault({ answer: GHCR_TOKEN_DENIED.response });
    return probeCold(`${registry.host}/owner/app:v1`, {
      plainHttp: !registry.tls,
      ...(registry.caPem ? { caCertificates: [registry.caPem] } : {}),
      tokenCache: new TokenCache(),
      profile,
      ...options,
    });
  }

  it('anonymously: private or missing, needs credentials (AUTH_REQUIRED), with the steps to log in', async () => {
    const result = await probe('ghcr');

    expectDiagnosis(result, 'AUTH_REQUIRED');
    expect(stepNames(result)).toEqual(['ping', 'token']);
    const d = result.diagnosis!;
    expect(d.summary).toContain('refused an anonymous pull token for owner/app');
    expect(d.summary).toContain(
      'either the repository does not exist, or it is private and needs credentials',
    );
    expect(d.evidence).toContain('status: 403');
    expect(d.evidence).toContain('registry error: DENIED requested access to the resource is denied');
    expect(d.evidence.join('\n')).toContain(
      'read as: missing-or-not-visible (GitHub Container Registry dialect',
    );
    expect(d.nextSteps.join('\n')).toContain('read:packages');
    expect(d.nextSteps.join('\n')).not.toMatch(/Grant the probe identity pull permission/);
  });

  it('with credentials: missing or not yours (DENIED naming both), never "bad password"', async () => {
    const result = await probe('ghcr', { credentials: basicCredentials('reader', PASSWORD) });

    expectDiagnosis(result, 'DENIED');
    const d = result.diagnosis!;
    expect(d.summary).toContain('refused a pull token for owner/app to the basic credentials');
    expect(d.summary).toContain(
      'either the repository does not exist, or it exists and this identity may not read it',
    );
    expect(d.evidence).toContain('credential source: basic');
    expect(d.nextSteps.join('\n')).toContain('--creds OWNER');
    expect(d.nextSteps.join('\n')).toContain("Check the package's visibility");
  });

  it('is a plain DENIED under the generic profile (what the probe said before the rule)', async () => {
    const result = await probe('generic');

    expectDiagnosis(result, 'DENIED');
    expect(result.diagnosis!.summary).toContain('was denied (403)');
    expect(result.diagnosis!.evidence.join('\n')).not.toContain('read as:');
  });
});
