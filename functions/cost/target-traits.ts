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
}

/** A registry on loopback is usually plain HTTP; everything else is probed over TLS. */
export function targetTraits(target: TargetConfig): TargetTraits {
  const registry = parseReference(target.image).registry;
  const host = registry.replace(/:\d+$/, '');
  const tls = !['localhost', '127.0.0.1', '[::1]'].includes(host);
  return { tls, rateLimited: profileForHost(registry).rateLimited };
}
