/**
 * A target's `mirrors` at synth: every problem named with its path (a bad reference, the target's
 * own repository, a mirror listed twice, too many, ECR credentials without an ECR host), and the
 * runtime config the Lambda reads: the mirror's reference resolved (the target's tag or digest
 * when it names none) and split, and no `mirrors` key at all for a target without any.
 */
import { describe, expect, it } from 'vitest';
import { probeRuntimeConfigSchema } from '../../../../functions/run/probe-config.ts';
import { ConfigError } from '../../../../lib/config/errors.ts';
import { mirrorImage } from '../../../../lib/config/image-reference.ts';
import { runtimeConfigFor } from '../../../../lib/config/runtime-config.ts';
import { type CanaryConfigInput, MAX_MIRRORS } from '../../../../lib/config/schema.ts';
import { probeSizing } from '../../../../lib/config/sizing.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';

function withTarget(target: Record<string, unknown>): CanaryConfigInput {
  return {
    homeRegion: 'eu-west-1',
    probeRegions: ['eu-west-1'],
    targets: [{ name: 'hub', image: 'alpine:3.20', ...target } as CanaryConfigInput['targets'][number]],
  };
}

function problemsOf(input: unknown): string[] {
  try {
    validateConfig(input, 'test.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the config to be refused');
}

describe('targets[].mirrors', () => {
  it('defaults to no mirrors, and a target without them has no mirrors in the runtime config', () => {
    const config = validateConfig(withTarget({}));

    expect(config.targets[0]!.mirrors).toEqual([]);
    expect(Object.keys(runtimeConfigFor(config, 'eu-west-1').targets[0]!)).not.toContain('mirrors');
  });

  it('fills each mirror with its defaults and resolves the target tag into the runtime config', () => {
    const config = validateConfig(
      withTarget({ mirrors: [{ image: 'mirror.gcr.io/library/alpine', name: 'google' }] }),
    );

    expect(config.targets[0]!.mirrors).toEqual([
      {
        image: 'mirror.gcr.io/library/alpine',
        name: 'google',
        credentials: { type: 'anonymous' },
        plainHttp: false,
      },
    ]);
    const runtime = runtimeConfigFor(config, 'eu-west-1');
    // What the Lambda reads back at cold start, with its own schema.
    expect(probeRuntimeConfigSchema.parse(JSON.parse(JSON.stringify(runtime)))).toEqual(runtime);
    expect(runtime.targets[0]!.mirrors).toEqual([
      {
        name: 'google',
        image: 'mirror.gcr.io/library/alpine:3.20',
        registry: 'mirror.gcr.io',
        repository: 'library/alpine',
        reference: '3.20',
        credentials: { type: 'anonymous' },
        plainHttp: false,
      },
    ]);
  });

  it('names every mirror problem at once, each with its path', () => {
    const problems = problemsOf(
      withTarget({
        mirrors: [
          { image: 'Mirror.gcr.io/library/ALPINE' },
          { image: 'docker.io/library/alpine:3.19' },
          { image: 'mirror.gcr.io/library/alpine' },
          { image: 'mirror.gcr.io/library/alpine:3.20' },
        ],
      }),
    );

    expect(problems).toEqual([
      `targets[0].mirrors: at most ${MAX_MIRRORS} mirrors per target (each is probed beside it, in its concurrency slot), not 4`,
      'targets[0].mirrors[0].image: invalid reference "Mirror.gcr.io/library/ALPINE": the repository name must be lowercase',
      'targets[0].mirrors[1].image: "docker.io/library/alpine:3.19" is the target\'s own repository (registry-1.docker.io/library/alpine), not a mirror of it',
      'targets[0].mirrors[3].image: "mirror.gcr.io/library/alpine:3.20" is already targets[0].mirrors[2] (mirror.gcr.io/library/alpine)',
    ]);
  });

  it('refuses ECR credentials on a mirror that is neither an ECR host nor given a region', () => {
    const problems = problemsOf(
      withTarget({
        mirrors: [{ image: 'harbor.example.com/hub/library/alpine', credentials: { type: 'ecr' } }],
      }),
    );

    expect(problems).toEqual([
      'targets[0].mirrors[0].credentials: type "ecr" needs an ECR host (<account>.dkr.ecr.<region>.amazonaws.com) or an explicit region; "harbor.example.com" is neither',
    ]);
  });

  it('refuses a mirror key it does not know and a mirror name with other characters', () => {
    const problems = problemsOf(
      withTarget({ mirrors: [{ image: 'mirror.gcr.io/library/alpine', nmae: 'x', name: 'a/b' }] }),
    );

    expect(problems.some((p) => p.startsWith('targets[0].mirrors[0]') && p.includes('nmae'))).toBe(true);
    expect(problems).toContain(
      'targets[0].mirrors[0].name: must be 1-63 characters of letters, digits, spaces, ".", "_" or "-"',
    );
  });
});

describe('probe sizing with mirrors', () => {
  function fleet(mirrors: { image: string }[]): CanaryConfigInput {
    return {
      homeRegion: 'eu-west-1',
      probeRegions: ['eu-west-1'],
      concurrency: 16,
      targets: Array.from({ length: 16 }, (_, i) => ({ name: `t${i}`, image: `alpine:3.${i}`, mirrors })),
    };
  }

  it('gives each concurrency slot the memory of the target and its mirrors, probed side by side', () => {
    const plain = probeSizing(validateConfig(fleet([])), 'eu-west-1');
    const mirrored = probeSizing(
      validateConfig(
        fleet([{ image: 'mirror.gcr.io/library/alpine' }, { image: 'cache.example.com/library/alpine' }]),
      ),
      'eu-west-1',
    );

    // 256 + 16 MB x 16 slots + 16 targets = 528, rounded to 640; with 3 probes a slot, 256 + 768 + 16 = 1040 -> 1152.
    expect(plain.memoryMb).toBe(640);
    expect(mirrored.memoryMb).toBe(1152);
    // Side by side, not one after another: the deadline is the same.
    expect(mirrored.timeoutSeconds).toBe(plain.timeoutSeconds);
  });
});

describe('mirrorImage', () => {
  it.each([
    ['mirror.gcr.io/library/alpine', 'alpine:3.20', 'mirror.gcr.io/library/alpine:3.20'],
    ['mirror.gcr.io/library/alpine', 'alpine', 'mirror.gcr.io/library/alpine:latest'],
    [
      'mirror.gcr.io/library/alpine',
      `alpine:3.20@sha256:${'a'.repeat(64)}`,
      `mirror.gcr.io/library/alpine:3.20@sha256:${'a'.repeat(64)}`,
    ],
    ['localhost:5000/team/app', 'ghcr.io/team/app:v1', 'localhost:5000/team/app:v1'],
    ['localhost:5000/team/app:v2', 'ghcr.io/team/app:v1', 'localhost:5000/team/app:v2'],
    [
      `m.example.com/app@sha256:${'b'.repeat(64)}`,
      'ghcr.io/team/app:v1',
      `m.example.com/app@sha256:${'b'.repeat(64)}`,
    ],
  ])('resolves %s for the target %s as %s', (mirror, primary, expected) => {
    expect(mirrorImage(mirror, primary)).toBe(expected);
  });
});
