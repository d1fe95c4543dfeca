/**
 * The probe engine called in this process, each probe as cold as a CLI run: its own token cache,
 * challenge cache and connection pool, so every probe walks ping -> token -> manifest -> blob over
 * connections of its own (the engine shares all three per process by default, which would skip the
 * ping and token steps and the handshakes from the second probe on). The manifest cache stays the
 * process's, as in the runs before.
 */
import { basicCredentials } from '../../functions/credentials/types.ts';
import { probeImage } from '../../functions/probe/probe.ts';
import type { ProbeResult } from '../../functions/probe/result.ts';
import { ChallengeCache } from '../../functions/registry/challenge-cache.ts';
import { ConnectionPool } from '../../functions/registry/connection-pool.ts';
import { TokenCache } from '../../functions/registry/token.ts';
import type { BenchRegistry } from './targets.ts';

export type InProcessProbe = (registry: BenchRegistry, ref?: string) => Promise<ProbeResult>;

export const probeInProcess: InProcessProbe = async (registry, ref = registry.ref) => {
  const connectionPool = new ConnectionPool();
  const result = await probeImage(ref, {
    plainHttp: registry.plainHttp,
    caCertificates: registry.caPem ? [registry.caPem] : [],
    ...(registry.username && registry.password
      ? { credentials: basicCredentials(registry.username, registry.password) }
      : {}),
    tokenCache: new TokenCache(),
    challengeCache: new ChallengeCache(),
    connectionPool,
  }).finally(() => connectionPool.clear());
  if (result.status === 'failing') {
    throw new Error(`probe of ${ref} failed: ${JSON.stringify(result.diagnosis)}`);
  }
  return result;
};
