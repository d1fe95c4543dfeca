/**
 * Each registry family's dialect rule (functions/registry/profiles.ts), against the real
 * distribution registry in token mode behind a replay proxy that answers with the real capture
 * (test/integration/harness/captures, each citing where it was published). The probe walks a real
 * ping, token and image; only the answer the rule is about comes from the other registry.
 * Where a rule changes the diagnosis, the same capture read with the generic profile shows what
 * the probe said before, so a removed rule fails its test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicCredentials } from '../../../functions/credentials/types.ts';
import type { ProbeOptions } from '../../../functions/probe/options.ts';
import type { RegistryProfileName } from '../../../functions/registry/profiles.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import {
  ARTIFACT_REGISTRY_DENIED_OR_MISSING,
  ARTIFACTORY_MANIFEST_UNKNOWN,
  type Capture,
  DOCKER_HUB_INSUFFICIENT_SCOPE,
  ECR_EXPIRED_TOKEN,
  ECR_NOT_AUTHORIZED,
  ECR_PUBLIC_INVALID_TOKEN,
  GHCR_FORBIDDEN_AFTER_TOKEN,
  HARBOR_BLOB_NOT_FOUND,
  HARBOR_REPOSITORY_NOT_FOUND,
  MCR_MANIFEST_UNKNOWN,
  NEXUS_HTML_404,
  NEXUS_MANIFEST_UNKNOWN,
  QUAY_NOT_AUTHORIZED,
} from '../harness/captures/index.ts';
import { buildMultiArchImage, buildSingleArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { type ReplayProxy, startReplayProxy } from '../harness/replay-proxy.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { probeCold, warmManifestCache } from './cold-probe.ts';
import { expectDiagnosis, stepNames } from './expectations.ts';

const PASSWORD = `pw-${crypto.randomUUID()}`;
const REPOSITORY = 'library/app';

describe.runIf(registryTestsEnabled())('registry dialects, replayed in front of the real registry', () => {
  let tokens: TokenServer;
  let registry: RunningRegistry;
  let proxy: ReplayProxy;

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { pusher: PASSWORD, reader: PASSWORD } });
    registry = await startRegistry({ mode: 'token', tokenAuthority: tokens });
    const pusher = { username: 'pusher', password: PASSWORD };
    await pushImage({ ...registry, credentials: pusher }, REPOSITORY, 'v1', buildMultiArchImage());
    await pushImage({ ...registry, credentials: pusher }, 'library/single', 'v1', buildSingleArchImage());
    proxy = await startReplayProxy({ target: registry.url });
  });

  afterEach(() => proxy.passThrough());

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    await tokens?.stop();
  });

  function probe(
    capture: Capture,
    profile: RegistryProfileName,
    options: Partial<ProbeOptions> = {},
    repository = REPOSITORY,
  ) {
    proxy.replay(capture, { realm: tokens.realm, service: tokens.service, repository });
    return probeCold(`${proxy.host}/${repository}:v1`, {
      plainHttp: true,
      tokenCache: new TokenCache(),
      profile,
      ...options,
    });
  }

  const reader = () => ({ credentials: basicCredentials('reader', PASSWORD) });

  it('reads the HEAD refusal from the body of a repeated GET (the HEAD has none)', async () => {
    // Warm (a manifest of the repository kept), so the tag is HEADed first, as a warm Lambda does.
    const result = await probe(ECR_EXPIRED_TOKEN, 'ecr', {
      ...reader(),
      manifestCache: warmManifestCache(proxy.host, REPOSITORY),
    });

    expect(stepNames(result)).toEqual(['ping', 'token', 'manifest-head', 'manifest-get']);
    expect(result.diagnosis?.evidence).toContain(
      'registry error: DENIED Your authorization token has expired. Reauthenticate and try again.',
    );
  });

  describe('Docker Hub: 401 insufficient_scope after a granted token (docker-archive/docker-registry#1071)', () => {
    it('says "missing or not yours", not "bad password", when credentials were accepted', async () => {
      const result = await probe(DOCKER_HUB_INSUFFICIENT_SCOPE, 'dockerhub', reader());

      expectDiagnosis(result, 'DENIED');
      expect(result.diagnosis?.summary).toContain('accepted the basic credentials');
      expect(result.diagnosis?.summary).toContain(
        'either the repository does not exist, or it exists and this identity may not see it',
      );
      expect(result.diagnosis?.code).not.toBe('AUTH_FAILED');
    });

    it('names both causes to an anonymous caller: missing, or private and needs credentials', async () => {
      const result = await probe(DOCKER_HUB_INSUFFICIENT_SCOPE, 'dockerhub');

      expectDiagnosis(result, 'AUTH_REQUIRED');
      expect(result.diagnosis?.summary).toContain('either the repository does not exist, or it is private');
    });
  });

  describe('ECR: 403 DENIED "Your authorization token has expired" (flipt-io/flipt#3043)', () => {
    it('names the token as expired (AUTH_FAILED), not as a missing permission', async () => {
      const result = await probe(ECR_EXPIRED_TOKEN, 'ecr', reader());

      expectDiagnosis(result, 'AUTH_FAILED');
      expect(result.diagnosis?.summary).toContain('refused the basic credentials as expired');
    });

    it('reads "is not authorized to perform" as a missing permission, not as "missing or not yours"', async () => {
      const withRule = await probe(ECR_NOT_AUTHORIZED, 'ecr', reader());
      const without = await probe(ECR_NOT_AUTHORIZED, 'generic', reader());

      expectDiagnosis(withRule, 'DENIED');
      expect(withRule.diagnosis?.summary).toContain('the identity may not pull this repository');
      expect(without.diagnosis?.summary).toContain('either the repository does not exist');
    });

    it('was DENIED without the ECR rule', async () => {
      const result = await probe(ECR_EXPIRED_TOKEN, 'generic', reader());

      expectDiagnosis(result, 'DENIED');
    });
  });

  describe('ECR Public: 400 DENIED "Your Authorization Token is invalid." without a challenge (apple/container#847)', () => {
    it('names the token as invalid (AUTH_FAILED)', async () => {
      const result = await probe(ECR_PUBLIC_INVALID_TOKEN, 'ecr-public');

      expectDiagnosis(result, 'AUTH_FAILED');
      expect(result.diagnosis?.summary).toContain('refused the token as invalid');
    });

    it('was DENIED ("may not pull") without the ECR Public rule (PROTOCOL_ERROR from the bodiless HEAD alone)', async () => {
      const result = await probe(ECR_PUBLIC_INVALID_TOKEN, 'generic');

      expectDiagnosis(result, 'DENIED');
      expect(result.diagnosis?.summary).not.toContain('token');
    });
  });

  describe('Artifact Registry: 403 "denied on resource ... (or it may not exist)" (terraform-google-modules#1779)', () => {
    it('names both causes when credentials were accepted', async () => {
      const result = await probe(ARTIFACT_REGISTRY_DENIED_OR_MISSING, 'artifact-registry', reader());

      expectDiagnosis(result, 'DENIED');
      expect(result.diagnosis?.summary).toContain('either the repository does not exist');
    });

    it('names both causes anonymously too: private, or missing', async () => {
      const result = await probe(ARTIFACT_REGISTRY_DENIED_OR_MISSING, 'artifact-registry');

      expectDiagnosis(result, 'AUTH_REQUIRED');
      expect(result.diagnosis?.summary).toContain('either the repository does not exist, or it is private');
    });
  });

  describe('GHCR: 403 after an anonymous token (TeamCoderz/WordyMe#75)', () => {
    it('says the package is private or missing, and needs credentials', async () => {
      const result = await probe(GHCR_FORBIDDEN_AFTER_TOKEN, 'ghcr');

      expectDiagnosis(result, 'AUTH_REQUIRED');
      expect(result.diagnosis?.summary).toContain('it is private and needs credentials');
    });

    it('is read so by the after-token rule every family shares, under the generic profile too', async () => {
      const result = await probe(GHCR_FORBIDDEN_AFTER_TOKEN, 'generic');

      expectDiagnosis(result, 'AUTH_REQUIRED');
      expect(result.diagnosis?.evidence.join('\n')).toContain('read as: missing-or-not-visible');
    });
  });

  describe('Quay.io: 401 "access to the requested resource is not authorized" (hpe-storage/csi-driver#288)', () => {
    it('names both causes to an anonymous caller', async () => {
      const result = await probe(QUAY_NOT_AUTHORIZED, 'quay');

      expectDiagnosis(result, 'AUTH_REQUIRED');
      expect(result.diagnosis?.summary).toContain('either the repository does not exist');
    });

    it('says "missing or not yours" with accepted credentials, never "bad password" (AUTH_FAILED)', async () => {
      const result = await probe(QUAY_NOT_AUTHORIZED, 'quay', reader());

      expectDiagnosis(result, 'DENIED');
      expect(result.diagnosis?.summary).toContain('accepted the basic credentials, then refused');
    });
  });

  describe('Harbor: NOT_FOUND for repository, tag and blob alike (cue-lang/cue#2982, goharbor/harbor#18461)', () => {
    it('reads "repository ... not found" as NAME_UNKNOWN', async () => {
      const result = await probe(HARBOR_REPOSITORY_NOT_FOUND, 'harbor');

      expectDiagnosis(result, 'NAME_UNKNOWN');
    });

    it('was MANIFEST_UNKNOWN without the Harbor rule', async () => {
      const result = await probe(HARBOR_REPOSITORY_NOT_FOUND, 'generic');

      expectDiagnosis(result, 'MANIFEST_UNKNOWN');
    });

    it('reads "blob ... not found" as BLOB_UNKNOWN, not as a missing tag', async () => {
      const result = await probe(HARBOR_BLOB_NOT_FOUND, 'harbor', {}, 'library/single');

      expectDiagnosis(result, 'BLOB_UNKNOWN');
      expect(result.diagnosis?.evidence.join('\n')).toContain('read as: blob-missing');
    });
  });

  describe('families that speak the spec codes', () => {
    it.each([
      ['Artifactory (jetstack/version-checker#318)', ARTIFACTORY_MANIFEST_UNKNOWN, 'artifactory'],
      ['Nexus (sonatype/nexus-public#317)', NEXUS_MANIFEST_UNKNOWN, 'nexus'],
      ['MCR (MicrosoftDocs/azure-docs#90060)', MCR_MANIFEST_UNKNOWN, 'acr'],
    ] as const)('%s: 404 MANIFEST_UNKNOWN is MANIFEST_UNKNOWN', async (_name, capture, profile) => {
      const result = await probe(capture, profile);

      expectDiagnosis(result, 'MANIFEST_UNKNOWN');
    });
  });

  describe('an HTML 404 page from a web tier (microsoft/vscode-docker#537)', () => {
    it.each(['nexus', 'generic'] as const)(
      'is PROTOCOL_ERROR with the %s profile, not MANIFEST_UNKNOWN',
      async (profile) => {
        const result = await probe(NEXUS_HTML_404, profile);

        expectDiagnosis(result, 'PROTOCOL_ERROR');
        expect(result.diagnosis?.summary).toContain('with an HTML page, not a registry error');
      },
    );
  });
});
