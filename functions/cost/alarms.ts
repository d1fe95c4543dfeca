/**
 * The alarms a config deploys, counted in CloudWatch's billing units: a metric alarm is billed per
 * metric it evaluates (a metric-math alarm over three regions' Success costs three alarm metrics),
 * a composite alarm per alarm. test/unit/cost/alarms.test.ts synthesises the CDK app and checks
 * these counts against the template, so this stays in step with lib/constructs.
 */
import type { CanaryConfig } from '../../lib/config/schema.ts';
import { targetsForRegion } from '../../lib/config/sizing.ts';
import { targetTraits } from './target-traits.ts';

export interface AlarmCounts {
  standardMetrics: number;
  highResolutionMetrics: number;
  composite: number;
}

/**
 * Per target, in the home region, each over the target's probe regions (R metrics each):
 * failing in one region, failing in K regions, latency degraded; certificate expiry when probed
 * over TLS and rate-limit budget when the registry has one. Per target and region, a no-data alarm
 * (a region that went silent). Per probe region, one alarm on the failure destination (DLQ).
 */
export function countAlarms(config: CanaryConfig): AlarmCounts {
  let standardMetrics = 0;
  for (const target of config.targets.filter((t) => t.enabled)) {
    const regions = config.probeRegions.filter((region) =>
      targetsForRegion(config, region).includes(target),
    ).length;
    const traits = targetTraits(target);
    const overRegions = 3 + (traits.tls ? 1 : 0) + (traits.rateLimited ? 1 : 0);
    standardMetrics += overRegions * regions + regions;
  }
  standardMetrics += config.probeRegions.length;
  return { standardMetrics, highResolutionMetrics: 0, composite: 0 };
}
