/**
 * A target's mirrors in the run (functions/run/mirror-run.ts through probeAll): each probed beside
 * its target with the target's settings and the mirror's endpoint, each under the run's own hard
 * stop, so a mirror that throws or hangs ends in its own failing entry and never costs the target
 * its result; only the target's merged result is reported.
 */
import { describe, expect, it } from 'vitest';
import { anonymous, type CredentialProvider } from '../../../functions/credentials/types.ts';
import type { ProbeOptions } from '../../../functions/probe/options.ts';
import { RunDeadline } from '../../../functions/run/deadline.ts';
import type { ProbeMirror, ProbeTarget } from '../../../functions/run/probe-config.ts';
import { type ProbeFn, probeAll, type TargetOutcome } from '../../../functions/run/probe-run.ts';
import { healthyResult, runtimeConfig, target } from '../handlers/probe-fixtures.ts';

function mirror(host: string, overrides: Partial<ProbeMirror> = {}): ProbeMirror {
  return {
    image: `${host}/app:1`,
    registry: host,
    repository: 'app',
    reference: '1',
    credentials: { type: 'anonymous' },
    plainHttp: false,
    ...overrides,
  };
}

/** Answers every reference healthy with one digest, except those `behaviour` takes over. */
function probeFn(
  behaviour: (ref: string, options?: Partial<ProbeOptions>) => Promise<never> | null,
): ProbeFn {
  return async (ref, options) => behaviour(ref, options) ?? healthyResult({ ref, digest: 'sha256:aaaa' });
}

async function run(
  targets: ProbeTarget[],
  probe: ProbeFn,
  credentialsFor: (t: ProbeTarget) => CredentialProvider = () => anonymous,
): Promise<{ outcomes: TargetOutcome[]; reported: string[] }> {
  const reported: string[] = [];
  const outcomes = await probeAll(runtimeConfig(targets, { deadlineGraceMs: 100 }), {
    probe,
    credentialsFor,
    deadline: RunDeadline.in(60_000),
    onResult: (o) => reported.push(o.target.name),
  });
  return { outcomes, reported };
}

describe('probeAll with mirrors', () => {
  it("probes each mirror with the target's platforms and thresholds and the mirror's own endpoint", async () => {
    const calls: { ref: string; options: Partial<ProbeOptions> | undefined }[] = [];
    const asked: string[] = [];
    const app = target('app', {
      platforms: ['linux/arm64'],
      plainHttp: false,
      profile: 'harbor',
      mirrors: [
        mirror('cache.internal:5000', { plainHttp: true, credentials: { type: 'basic', secret: 's' } }),
      ],
    });

    const { outcomes, reported } = await run(
      [app],
      probeFn((ref, options) => {
        calls.push({ ref, options });
        return null;
      }),
      (t) => {
        asked.push(`${t.name} ${t.credentials.type}`);
        return anonymous;
      },
    );

    expect(calls.map((c) => c.ref).sort()).toEqual([
      'cache.internal:5000/app:1',
      'registry.example.com/app:1',
    ]);
    const mirrorCall = calls.find((c) => c.ref.startsWith('cache.internal'))!;
    expect(mirrorCall.options).toMatchObject({
      platforms: ['linux/arm64'],
      plainHttp: true,
      timeoutMs: 1_000,
    });
    // The mirror's registry family is its own host's, not the target's profile.
    expect(mirrorCall.options?.profile).toBeUndefined();
    // Credential providers are made per name: the mirror's never shares the target's.
    expect(asked.sort()).toEqual(['app anonymous', 'app#mirror-1 basic']);
    // One outcome, the target's, with its mirror inside.
    expect(reported).toEqual(['app']);
    expect(outcomes[0]!.result.mirrors).toEqual([
      expect.objectContaining({
        image: 'cache.internal:5000/app:1',
        status: 'healthy',
        digest: 'sha256:aaaa',
      }),
    ]);
  });

  it('keeps the target healthy when its mirror throws, and says how the mirror failed', async () => {
    const app = target('app', { mirrors: [mirror('broken.example.com')] });

    const { outcomes } = await run(
      [app],
      probeFn((ref) => (ref.startsWith('broken') ? Promise.reject(new TypeError('boom')) : null)),
    );

    expect(outcomes[0]!.result.status).toBe('healthy');
    expect(outcomes[0]!.result.mirrors?.[0]).toMatchObject({ status: 'failing', code: 'PROTOCOL_ERROR' });
  });

  it("ends a hanging mirror at the target's hard stop, with the target's own result kept", async () => {
    const app = target('app', { timeoutMs: 300, mirrors: [mirror('hangs.example.com')] });
    const never = () => new Promise<never>(() => {});

    const { outcomes } = await run(
      [app],
      probeFn((ref) => (ref.startsWith('hangs') ? never() : null)),
    );

    expect(outcomes[0]!.result).toMatchObject({ status: 'healthy', digest: 'sha256:aaaa' });
    expect(outcomes[0]!.result.mirrors?.[0]).toMatchObject({
      image: 'hangs.example.com/app:1',
      status: 'failing',
      code: 'TIMEOUT',
      summary: 'The probe did not finish within 400 ms.',
    });
  });

  it('leaves a target without mirrors as the probe returned it', async () => {
    const { outcomes } = await run(
      [target('plain')],
      probeFn(() => null),
    );

    expect(outcomes[0]!.result).toEqual(
      healthyResult({ ref: 'registry.example.com/plain:1', digest: 'sha256:aaaa' }),
    );
  });
});
