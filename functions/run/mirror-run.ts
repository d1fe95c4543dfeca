/**
 * A target with mirrors, probed as one: the target and each mirror at once, each through the run's
 * own per-target probe (its hard stop, its cancellation, its failures turned into results), so a
 * mirror that fails, throws or hangs ends in its own result at the target's hard stop at the
 * latest and never costs the target's. Probing them side by side, not one after another, keeps a
 * target's time within its one deadline, which the schedule's sizing (lib/config/sizing.ts)
 * counts on. The results are then merged by functions/probe/mirrors.ts.
 */
import { type MirrorOutcome, withMirrors } from '../probe/mirrors.ts';
import type { ProbeResult } from '../probe/result.ts';
import type { ProbeMirror, ProbeRuntimeConfig, ProbeTarget } from './probe-config.ts';

/** The command the mirrors' next steps repeat a probe with (as the Lambda's own next steps do). */
const COMMAND = 'npx registry-canary';

export async function probeWithMirrors(
  target: ProbeTarget,
  probeOne: (target: ProbeTarget) => Promise<ProbeResult>,
  config: Pick<ProbeRuntimeConfig, 'runbookBaseUrl'>,
): Promise<ProbeResult> {
  const mirrors = target.mirrors ?? [];
  if (mirrors.length === 0) return probeOne(target);
  const [primary, ...results] = await Promise.all([
    probeOne(target),
    ...mirrors.map((mirror, i) => probeOne(mirrorTarget(target, mirror, i))),
  ]);
  const outcomes: MirrorOutcome[] = mirrors.map((mirror, i) => ({
    ...(mirror.name ? { name: mirror.name } : {}),
    image: mirror.image,
    plainHttp: mirror.plainHttp,
    result: results[i]!,
  }));
  return withMirrors(primary!, outcomes, {
    plainHttp: target.plainHttp,
    command: COMMAND,
    ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
  });
}

/**
 * The mirror as a target of its own: the target's platforms, thresholds and deadline, the
 * mirror's endpoint (reference, credentials, plain HTTP, profile). The name only keys the run's
 * per-target caches (credential providers are made per name, functions/handlers/probe-handler.ts):
 * a "#" never appears in a target name, so it cannot share a real target's provider. It is never
 * a metric dimension or a state key: only the merged result of the target is published.
 */
export function mirrorTarget(target: ProbeTarget, mirror: ProbeMirror, index: number): ProbeTarget {
  const { mirrors: _mirrors, profile: _profile, ...settings } = target;
  return {
    ...settings,
    name: `${target.name}#mirror-${index + 1}`,
    image: mirror.image,
    registry: mirror.registry,
    repository: mirror.repository,
    reference: mirror.reference,
    credentials: mirror.credentials,
    plainHttp: mirror.plainHttp,
    ...(mirror.profile ? { profile: mirror.profile } : {}),
  };
}
