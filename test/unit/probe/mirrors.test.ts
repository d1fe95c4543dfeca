/**
 * One target and its mirrors as one result (functions/probe/mirrors.ts): the order of the next
 * steps (switch to the first passing mirror, then the diagnosis's own), the digest comparison
 * (a warning only when both passed and differ), and a result without mirrors left as it is.
 */
import { describe, expect, it } from 'vitest';
import { type MirrorOutcome, withMirrors } from '../../../functions/probe/mirrors.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { healthyResult } from '../handlers/probe-fixtures.ts';

const PRIMARY_STEPS = ['nc -vz registry-1.docker.io 443', 'Check the registry process is running.'];

function failing(overrides: Partial<ProbeResult> = {}): ProbeResult {
  return healthyResult({
    status: 'failing',
    digest: null,
    diagnosis: {
      code: 'CONNECTION_REFUSED',
      summary: 'Nothing accepts connections.',
      evidence: ['errno: ECONNREFUSED'],
      nextSteps: PRIMARY_STEPS,
      runbook: 'https://x/CONNECTION_REFUSED.md',
    },
    ...overrides,
  });
}

function mirror(image: string, result: Partial<ProbeResult>, name?: string): MirrorOutcome {
  const [registry, ...path] = image.split('/');
  const last = path.join('/');
  return {
    ...(name ? { name } : {}),
    image,
    plainHttp: false,
    result: healthyResult({
      ref: image,
      registry: registry!,
      repository: last.split(':')[0]!,
      reference: last.split(':')[1]!,
      rateLimit: null,
      ...result,
    }),
  };
}

const context = { plainHttp: false, runbookBaseUrl: 'https://runbooks.example.com' };

describe('withMirrors', () => {
  it('returns the result itself when the target has no mirrors', () => {
    const primary = healthyResult();

    expect(withMirrors(primary, [], context)).toBe(primary);
  });

  it('puts switching to the first passing mirror before the diagnosis steps, and keeps its code', () => {
    const outcomes = [
      mirror('cache.example.com/library/alpine:latest', {
        status: 'failing',
        digest: null,
        diagnosis: failing().diagnosis,
      }),
      mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:aaaa', status: 'degraded' }, 'google'),
      mirror('other.example.com/library/alpine:latest', { digest: 'sha256:aaaa' }),
    ];

    const result = withMirrors(failing(), outcomes, context);

    expect(result.status).toBe('failing');
    expect(result.diagnosis!.code).toBe('CONNECTION_REFUSED');
    const steps = result.diagnosis!.nextSteps;
    expect(steps[0]).toMatch(
      /^Switch to the mirror mirror\.gcr\.io\/library\/alpine:latest: it passed \(it serves sha256:aaaa\) while registry-1\.docker\.io fails/,
    );
    expect(steps[1]).toContain('"registry-mirrors":["https://mirror.gcr.io"]');
    expect(steps[2]).toContain('/etc/containerd/certs.d/docker.io/hosts.toml');
    expect(steps[3]).toMatch(/^kubectl set image .*=mirror\.gcr\.io\/library\/alpine:latest /);
    expect(steps.slice(4)).toEqual(PRIMARY_STEPS);
    expect(result.diagnosis!.evidence).toEqual([
      'errno: ECONNREFUSED',
      'mirror cache.example.com/library/alpine:latest: failing, CONNECTION_REFUSED: Nothing accepts connections.',
      'mirror google (mirror.gcr.io/library/alpine:latest): degraded, digest sha256:aaaa',
      'mirror other.example.com/library/alpine:latest: healthy, digest sha256:aaaa',
    ]);
  });

  it('gives no switch advice when every mirror fails too', () => {
    const down = { status: 'failing' as const, digest: null, diagnosis: failing().diagnosis };

    const result = withMirrors(failing(), [mirror('mirror.gcr.io/library/alpine:latest', down)], context);

    expect(result.diagnosis!.nextSteps).toEqual(PRIMARY_STEPS);
    expect(result.mirrors).toEqual([
      {
        image: 'mirror.gcr.io/library/alpine:latest',
        registry: 'mirror.gcr.io',
        repository: 'library/alpine',
        reference: 'latest',
        status: 'failing',
        code: 'CONNECTION_REFUSED',
        summary: 'Nothing accepts connections.',
        digest: null,
        durationMs: 120,
      },
    ]);
  });

  it('warns MIRROR_DIGEST_MISMATCH, degraded, for each passing mirror serving another digest', () => {
    const outcomes = [
      mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:bbbb' }),
      mirror('same.example.com/library/alpine:latest', { digest: 'sha256:aaaa' }),
      mirror('down.example.com/library/alpine:latest', {
        status: 'failing',
        digest: null,
        diagnosis: failing().diagnosis,
      }),
    ];

    const result = withMirrors(healthyResult(), outcomes, context);

    expect(result.status).toBe('degraded');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({
      code: 'MIRROR_DIGEST_MISMATCH',
      summary:
        'The mirror mirror.gcr.io/library/alpine:latest serves sha256:bbbb for latest, but registry-1.docker.io serves sha256:aaaa: a pull through the mirror gets other content.',
      runbook: 'https://runbooks.example.com/MIRROR_DIGEST_MISMATCH.md',
    });
    expect(result.warnings[0]!.nextSteps![0]).toBe(
      'skopeo inspect --raw docker://registry-1.docker.io/library/alpine:latest | sha256sum; skopeo inspect --raw docker://mirror.gcr.io/library/alpine:latest | sha256sum   # the digest each one serves',
    );
  });

  it('stays healthy when every passing mirror serves the same digest, even with one mirror failing', () => {
    const outcomes = [
      mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:aaaa' }),
      mirror('down.example.com/library/alpine:latest', {
        status: 'failing',
        digest: null,
        diagnosis: failing().diagnosis,
      }),
    ];

    const result = withMirrors(healthyResult(), outcomes, context);

    expect(result.status).toBe('healthy');
    expect(result.warnings).toEqual([]);
    expect(result.mirrors?.map((m) => m.status)).toEqual(['healthy', 'failing']);
  });

  it("adds the mismatch after a degraded primary's own warnings", () => {
    const slow = { code: 'SLOW' as const, summary: 'slow' };

    const result = withMirrors(
      healthyResult({ status: 'degraded', warnings: [slow] }),
      [mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:bbbb' })],
      context,
    );

    expect(result.warnings.map((w) => w.code)).toEqual(['SLOW', 'MIRROR_DIGEST_MISMATCH']);
  });

  it('compares nothing for a failing primary: no warning, whatever the mirror serves', () => {
    const result = withMirrors(
      failing(),
      [mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:bbbb' })],
      context,
    );

    expect(result.warnings).toEqual([]);
  });

  it("spells out the mismatch's steps with the run's command, plain HTTP and a digest reference", () => {
    const plainMirror = {
      ...mirror('cache.local:5000/library/alpine:latest', { digest: 'sha256:bbbb' }),
      plainHttp: true,
    };
    const pinned = healthyResult({ reference: 'sha256:aaaa' });

    const [warning] = withMirrors(pinned, [plainMirror], {
      ...context,
      plainHttp: true,
      command: 'npx registry-canary',
    }).warnings;

    expect(warning!.nextSteps).toEqual([
      'skopeo inspect --tls-verify=false --raw docker://registry-1.docker.io/library/alpine@sha256:aaaa | sha256sum; skopeo inspect --tls-verify=false --raw docker://cache.local:5000/library/alpine:latest | sha256sum   # the digest each one serves',
      'npx registry-canary probe cache.local:5000/library/alpine:latest   # the mirror alone',
      'A pull-through cache serves its cached copy until it refreshes the tag (ECR pull through cache: at least once every 24 hours; Harbor proxy cache and registry:2 proxies: their own TTL): delete the cached tag on the mirror to make it fetch again, or pin the deployments to the digest.',
      "If the mirror is not meant to follow registry-1.docker.io (its own build of the tag), fix or remove it in the target's `mirrors`.",
    ]);
    const [byDefault] = withMirrors(
      healthyResult(),
      [mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:bbbb' })],
      context,
    ).warnings;
    expect(byDefault!.nextSteps![1]).toBe(
      'registry-canary probe mirror.gcr.io/library/alpine:latest   # the mirror alone',
    );
  });

  it('compares nothing when either side has no digest to compare', () => {
    const noDigest = withMirrors(
      healthyResult({ digest: null }),
      [mirror('mirror.gcr.io/library/alpine:latest', { digest: 'sha256:bbbb' })],
      context,
    );
    const mirrorWithout = withMirrors(
      healthyResult(),
      [mirror('mirror.gcr.io/library/alpine:latest', { digest: null })],
      context,
    );

    expect(noDigest.warnings).toEqual([]);
    expect(noDigest.status).toBe('healthy');
    expect(mirrorWithout.warnings).toEqual([]);
    expect(mirrorWithout.status).toBe('healthy');
  });

  it('names a mirror in its result and evidence, and says "unknown" for a failure without a diagnosis', () => {
    const result = withMirrors(
      failing(),
      [mirror('down.example.com/library/alpine:latest', { status: 'failing', digest: null }, 'office')],
      context,
    );

    expect(result.mirrors![0]).toMatchObject({
      name: 'office',
      image: 'down.example.com/library/alpine:latest',
      code: null,
      summary: null,
    });
    expect(result.diagnosis!.evidence.at(-1)).toBe(
      'mirror office (down.example.com/library/alpine:latest): failing, unknown:',
    );
    expect(result.diagnosis!.nextSteps).toEqual(PRIMARY_STEPS);
  });

  it('says "digest unknown" in the evidence for a passing mirror that served no digest', () => {
    const result = withMirrors(
      failing(),
      [mirror('mirror.gcr.io/library/alpine:latest', { digest: null })],
      context,
    );

    expect(result.diagnosis!.evidence.at(-1)).toBe(
      'mirror mirror.gcr.io/library/alpine:latest: healthy, digest unknown',
    );
  });
});
