/**
 * What about a target changes its bill: TLS adds the certificate and TLS-phase metrics and the
 * certificate alarm; a rate-limited registry (Docker Hub, ECR Public, or one the config marks with
 * `rateLimitAlarm: true`) adds the pull-budget metrics, and the alarm unless `rateLimitAlarm` is
 * false; its registry decides which phase series it shares with other targets.
 */

import { rateLimitAlarmed, rateLimitReported } from '../../lib/config/rate-limit-alarm.ts';
import type { TargetConfig } from '../../lib/config/schema.ts';
import { parseReference } from '../registry/reference.ts';

export interface TargetTraits {
  /** The registry host with port, as the probe reports it (the Registry dimension of the phase metrics). */
  registry: string;
  tls: boolean;
  /** The registry sends RateLimit headers, so the budget metrics exist (alarmed or not). */
  rateLimited: boolean;
  /** The target has the rate-limit alarm (lib/config/rate-limit-alarm.ts). */
  rateLimitAlarm: boolean;
  /** An IP literal needs no DNS lookup, so no DnsMs metric. */
  ipLiteral: boolean;
}

/**
 * The deployed probe always speaks HTTPS (functions/handlers/probe-run.ts has no plain-HTTP
 * option), so every deployed target reports TLS metrics.
 */
export function targetTraits(target: TargetConfig): TargetTraits {
  const registry = parseReference(target.image).registry;
  const host = registry.replace(/:\d+$/, '');
  const tls = true;
  const ipLiteral = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  return {
    registry,
    tls,
    rateLimited: rateLimitReported(target),
    rateLimitAlarm: rateLimitAlarmed(target),
    ipLiteral,
  };
}
