/**
 * Which targets have a pull budget worth showing and alarming on. The home copy carries
 * RateLimitRemainingPercent for every registry that sends RateLimit headers, but only the config
 * can say whether a registry the profiles do not know (a private registry or proxy) has limits.
 */
import { profileForHost } from '../../functions/registry/profiles.ts';
import { splitReference } from './image-reference.ts';
import type { TargetConfig } from './schema.ts';

type RateLimitFields = Pick<TargetConfig, 'image' | 'rateLimitAlarm'> &
  Partial<Pick<TargetConfig, 'profile'>>;

/** The target's own `rateLimitAlarm` when set, else whether its registry is known to limit pulls. */
export function rateLimitAlarmed(target: RateLimitFields): boolean {
  return target.rateLimitAlarm ?? knownToLimit(target);
}

/**
 * Whether the target's registry sends a pull budget: known to (Docker Hub, ECR Public), or said to
 * by `rateLimitAlarm: true`. Silencing the alarm does not stop the headers, nor the metrics made
 * from them, so this decides the pull-budget widgets and metric costs.
 */
export function rateLimitReported(target: RateLimitFields): boolean {
  return knownToLimit(target) || target.rateLimitAlarm === true;
}

function knownToLimit(target: RateLimitFields): boolean {
  return profileForHost(splitReference(target.image).registry, target.profile).rateLimited;
}
