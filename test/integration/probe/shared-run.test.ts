/**
 * One run's targets on one token-auth registry (the real distribution registry and the suite's
 * token server), probed by the run service as the Lambda probes them: they share the registry's
 * challenge and tokens, but only ever a token obtained with their own credentials, and no more of
 * them run at once than the per-registry limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymous,
  basicCredentials,
  type CredentialProvider,
} from '../../../functions/credentials/types.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { ConnectionPool } from '../../../functions/registry/connection-pool.ts';
import { ManifestCache } from '../../../functions/registry/manifest-cache.ts';
import { TokenCache } from '../../../functions/registry/token.ts';
import { RunDeadline } from '../../../functions/run/deadline.ts';
import type { ProbeRuntimeConfig, ProbeTarget } from '../../../functions/run/probe-config.ts';
import { type ProbeFn, probeAll } from '../../../functions/run/probe-run.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { startTokenServer, type TokenServer } from '../harness/token-server.ts';
import { expectDiagnosis, expectHealthy } from './expectations.ts';

const ALICE = `alice-${crypto.randomUUID()}`;
const BOB = `bob-${crypto.randomUUID()}`;

describe.runIf(registryTestsEnabled())('one run of several targets on one registry', () => {
  let tokens: TokenServer;
  let registry: RunningRegistry;

  beforeAll(async () => {
    tokens = await startTokenServer({ users: { alice: ALICE, bob: BOB }, anonymousPull: false });
    registry = await startRegistry({ mode: 'token', tokenAuthority: tokens });
    await pushImage(
      { ...registry, credentials: { username: 'alice', password: ALICE } },
      'team/app',
      'v1',
      buildMultiArchImage(),
    );
    tokens.requests.length = 0;
  });

  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  const target = (name: string): ProbeTarget => ({
    name,
    image: `${registry.host}/team/app:v1`,
    registry: registry.host,
    repository: 'team/app',
    reference: 'v1',
    credentials: { type: 'anonymous' },
    platforms: ['linux/amd64'],
    timeoutMs: 10_000,
    slowMs: 5_000,
    certExpiryDays: 14,
    rateLimitRatio: 0.2,
    verifyBlob: false,
    plainHttp: true,
  });

  it("shares the registry's challenge and each identity's token, never a token across credentials, within the per-registry limit", async () => {
    const credentials: Record<string, CredentialProvider> = {
      alice1: basicCredentials('alice', ALICE),
      alice2: basicCredentials('alice', ALICE),
      alice3: basicCredentials('alice', ALICE),
      bob1: basicCredentials('bob', BOB),
      bob2: basicCredentials('bob', BOB),
      // The same user with another password must never ride on alice's token.
      impostor: basicCredentials('alice', 'not-alices-password'),
      nobody: anonymous,
    };
    const config: ProbeRuntimeConfig = {
      region: 'us-east-1',
      homeRegion: 'us-east-1',
      concurrency: 8,
      deadlineGraceMs: 1_000,
      caCertificates: [],
      state: { heartbeatMinutes: 15, ttlDays: 14 },
      targets: Object.keys(credentials).map(target),
    };
    // The run's own caches, as one warm process holds them (the defaults are process-wide).
    const caches = {
      tokenCache: new TokenCache(),
      challengeCache: new ChallengeCache(),
      connectionPool: new ConnectionPool(),
      manifestCache: new ManifestCache(),
    };
    let inFlight = 0;
    let peak = 0;
    const probe: ProbeFn = async (ref, options) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        return await probeImage(ref, { ...options, ...caches });
      } finally {
        inFlight -= 1;
      }
    };

    const outcomes = await probeAll(config, {
      probe,
      credentialsFor: (t) => credentials[t.name]!,
      deadline: RunDeadline.in(30_000),
      onResult: () => {},
      // Three at once on this registry, whatever the floor of 8 and however idle the process.
      concurrency: { perKey: 3, sampler: { busy: () => 0, rssBytes: () => 0 } },
    });
    await caches.connectionPool.clear();

    const result = (name: string) => outcomes.find((o) => o.target.name === name)!.result;
    for (const name of ['alice1', 'alice2', 'alice3', 'bob1', 'bob2']) expectHealthy(result(name));
    expectDiagnosis(result('impostor'), 'AUTH_FAILED');
    expect(result('nobody').status).toBe('failing');
    expect(peak).toBe(3);

    const asked = (user: string | null, status: number) =>
      tokens.requests.filter((r) => r.username === user && r.status === status).length;
    // One token per identity for the whole run: the others came from the cache or the request in flight.
    expect(asked('alice', 200)).toBe(1);
    expect(asked('bob', 200)).toBe(1);
    // The impostor asked for its own token with its own password, and was refused.
    expect(
      tokens.requests.filter((r) => r.status === 401 && r.authorization?.startsWith('Basic')),
    ).toHaveLength(1);
    // Only the first wave pinged (at most the three started together); every probe started after one
    // had finished answered the known challenge without a ping.
    const pinged = outcomes.map((o) => o.result.steps.some((s) => s.name === 'ping'));
    expect(pinged.slice(3)).toEqual([false, false, false, false]);
  });
});
