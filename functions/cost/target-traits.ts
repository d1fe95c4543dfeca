/**
 * What about a target changes its bill: TLS adds the certificate and TLS-phase metrics and the
 * certificate alarm; a rate-limited registry (Docker Hub) adds the pull-budget metrics and alarm.
 */
import type { TargetConfig } from '../../lib/config/schema.ts';
import { profileForHost } from '../registry/profiles.ts';
import { parseReference } from '../registry/reference.ts';

export interface TargetTraits {
  tls: boolean;
  rateLimited: boolean;
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
  return { tls, rateLimited: profileForHost(registry).rateLimited, ipLiteral };
}
