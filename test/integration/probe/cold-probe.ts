/**
 * A probe as a fresh process makes it. The probe keeps verified manifests, each registry's /v2/
 * challenge and its connections for the life of the process (a warm Lambda skips GETs of digests
 * it has read, pings of registries it knows, and handshakes); these suites test the whole pull
 * path, so each probe starts with an empty manifest cache, challenge cache and connection pool
 * unless a test passes its own.
 */
import { createHash } from 'node:crypto';
import type { ProbeOptions } from '../../../functions/probe/options.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';
import { ConnectionPool } from '../../../functions/registry/connection-pool.ts';
import { parseManifest } from '../../../functions/registry/manifest.ts';
import { ManifestCache } from '../../../functions/registry/manifest-cache.ts';

export async function probeCold(ref: string, options: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  const connectionPool = options.connectionPool ?? new ConnectionPool();
  try {
    return await probeImage(ref, {
      manifestCache: new ManifestCache(),
      challengeCache: new ChallengeCache(),
      connectionPool,
      ...options,
    });
  } finally {
    if (!options.connectionPool) await connectionPool.clear();
  }
}

/**
 * A manifest cache as a process holds it after probing `repository` on `registry` before: with a
 * manifest of the repository kept, the probe HEADs the tag first (a HEAD can spare the GET), as a
 * warm Lambda does. The kept manifest is one the registry never served, so nothing is skipped.
 */
export function warmManifestCache(registry: string, repository: string): ManifestCache {
  const cache = new ManifestCache();
  const body =
    '{"schemaVersion":2,"config":{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":0},"layers":[]}';
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  cache.set(registry, repository, digest, parseManifest(Buffer.from(body), null, 'warm-up'), body.length);
  return cache;
}
