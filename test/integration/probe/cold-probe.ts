/**
 * A probe as a fresh process makes it. The probe keeps verified manifests for the life of the
 * process (a warm Lambda skips GETs of digests it has read); these suites test the whole pull path,
 * so each probe starts with an empty manifest cache unless a test passes its own.
 */
import type { ProbeOptions } from '../../../functions/probe/options.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { ManifestCache } from '../../../functions/registry/manifest-cache.ts';

export function probeCold(ref: string, options: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  return probeImage(ref, { manifestCache: new ManifestCache(), ...options });
}
