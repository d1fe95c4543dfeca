/**
 * A target whose registry fails while its mirror passes, from the probe's merged result through
 * the state of record (dynalite) to every channel: the alert says first to switch to the mirror
 * (headline and first step) and the target's next steps start with the snippets. When the mirror
 * fails too, nothing says to switch. The target stays failing either way: a mirror is part of its
 * target, and the primary is what the deployments pull.
 */
import { describe, expect, it, vi } from 'vitest';
import { type MirrorOutcome, withMirrors } from '../../../functions/probe/mirrors.ts';
import { handleAlarmBatch } from '../../../functions/publish/notification/notifier.ts';
import {
  at,
  deps,
  failing,
  failingAlarm,
  probe,
  REGIONS,
  result,
  type Sent,
  sent,
  useNotifierHarness,
} from './harness.ts';

useNotifierHarness();

const MIRROR = 'mirror.gcr.io/library/alpine:3.20';

function gcrMirror(passes: boolean): MirrorOutcome {
  const base = {
    ref: MIRROR,
    registry: 'mirror.gcr.io',
    repository: 'library/alpine',
    reference: '3.20',
    digest: 'sha256:aaaa',
  };
  return {
    image: MIRROR,
    plainHttp: false,
    result: passes ? result('gcr', base) : failing('gcr', 'CONNECTION_REFUSED', { ...base, digest: null }),
  };
}

async function alertFor(mirrorPasses: boolean): Promise<Sent> {
  const merged = withMirrors(
    failing('hub-alpine', 'REGISTRY_UNAVAILABLE', { repository: 'library/alpine', reference: '3.20' }),
    [gcrMirror(mirrorPasses)],
    { plainHttp: false },
  );
  for (const region of REGIONS) await probe(region, { 'hub-alpine': merged });
  vi.setSystemTime(at(2));
  expect(
    (await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 1)], deps())).batchItemFailures,
  ).toEqual([]);
  const messages = await sent();
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

describe('an alert for a target with mirrors', () => {
  it('says first to switch to the passing mirror, in the headline, the first steps and the target steps', async () => {
    const m = await alertFor(true);

    expect(m.alert.code).toBe('REGISTRY_UNAVAILABLE');
    expect(m.alert.headline).toBe(
      `Switch to the mirror ${MIRROR}: it passes. 1 target failing; owner platform.`,
    );
    expect(m.alert.firstSteps[0]).toBe(
      `Switch hub-alpine to the mirror ${MIRROR}: it passes while registry-1.docker.io fails (the docker, containerd and Kubernetes snippets are the first next steps of hub-alpine).`,
    );
    const steps = m.alert.groups[0]!.nextSteps;
    expect(steps[0]).toMatch(new RegExp(`^Switch to the mirror ${MIRROR.replaceAll('.', '\\.')}: it passed`));
    expect(steps[1]).toContain(`"registry-mirrors":["https://mirror.gcr.io"]`);
    expect(steps[2]).toContain('/etc/containerd/certs.d/docker.io/hosts.toml');
    expect(steps[3]).toContain(`<container>=${MIRROR}`);
    // Every channel carries it, before the cause's own first step.
    const email = m.email;
    expect(email.indexOf(`Switch hub-alpine to the mirror ${MIRROR}`)).toBeGreaterThan(-1);
    expect(email.indexOf(`Switch hub-alpine to the mirror ${MIRROR}`)).toBeLessThan(
      email.indexOf(m.alert.firstSteps[1]!),
    );
    expect(JSON.stringify(m.slack)).toContain(`Switch to the mirror ${MIRROR}: it passes.`);
    expect(m.https).toContain(`Switch to the mirror ${MIRROR}`);
  });

  it('says nothing about switching when the mirror fails too', async () => {
    const m = await alertFor(false);

    expect(m.alert.code).toBe('REGISTRY_UNAVAILABLE');
    expect(m.alert.headline).toBe('1 target failing; owner platform.');
    expect(m.alert.firstSteps.some((s) => s.startsWith('Switch'))).toBe(false);
    expect(m.alert.groups[0]!.nextSteps.some((s) => s.startsWith('Switch'))).toBe(false);
    expect(m.alert.groups[0]!.evidence.at(-1)).toMatch(
      /^mirror mirror\.gcr\.io\/library\/alpine:3\.20: failing, CONNECTION_REFUSED/,
    );
  });
});
