/**
 * The alarms a config deploys, counted in CloudWatch's billing units: a metric alarm is billed per
 * metric it evaluates (a metric-math alarm over three regions' Success costs three alarm metrics),
 * a composite alarm per alarm. test/unit/cost/alarms.test.ts synthesises the CDK app and checks
 * these counts against the template, so this stays in step with lib/constructs.
 */
import type { CanaryConfig } from '../../lib/config/schema.ts';
import { targetsForRegion } from '../../lib/config/sizing.ts';
import { targetTraits } from './target-traits.ts';

const NOTIFIER_DEAD_LETTER_ALARMS = 1;

export interface AlarmCounts {
  standardMetrics: number;
  highResolutionMetrics: number;
  composite: number;
}

/**
 * Mirrors lib/constructs/target-alarms.ts. Per target, in the home region, each a metric-math alarm
 * over the target's R probe regions (R billed metrics): failing in any region, failing in K
 * regions (only when R > 1), certificate expiring, latency degraded, and rate-limit budget low when
 * the target has `rateLimitAlarm` (by default: its registry announces limits). Per target and
 * region, a no-data alarm (RegionSilent, 1 metric).
 * Per probe region, one alarm on the Lambda's dead-letter queue (lib/constructs/scheduled-probe.ts).
 * In the home region, one alarm on the notifier's dead-letter queue (lib/constructs/alerting.ts).
 */
export function countAlarms(config: CanaryConfig): AlarmCounts {
  let standardMetrics = 0;
  for (const target of config.targets.filter((t) => t.enabled)) {
    const regions = config.probeRegions.filter((region) =>
      targetsForRegion(config, region).includes(target),
    ).length;
    if (regions === 0) continue;
    const mathAlarms = 3 + (regions > 1 ? 1 : 0) + (targetTraits(target).rateLimitAlarm ? 1 : 0);
    standardMetrics += mathAlarms * regions + regions;
  }
  standardMetrics += config.probeRegions.length + NOTIFIER_DEAD_LETTER_ALARMS;
  return { standardMetrics, highResolutionMetrics: 0, composite: 0 };
}
