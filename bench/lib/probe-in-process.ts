/**
 * The probe engine called in this process, each probe as cold as a CLI run: its own token cache,
 * so every probe walks ping -> token -> manifest -> blob (the engine shares one cache per process
 * by default, which would skip the token step from the second probe on).
 */
import { basicCredentials } from '../../functions/credentials/types.ts';
import { probeImage } from '../../functions/probe/probe.ts';
import type { ProbeResult } from '../../functions/probe/result.ts';
import { TokenCache } from '../../functions/registry/token.ts';
import type { BenchRegistry } from './targets.ts';

export type InProcessProbe = (registry: BenchRegistry, ref?: string) => Promise<ProbeResult>;

export const probeInProcess: InProcessProbe = async (registry, ref = registry.ref) => {
  const result = await probeImage(ref, {
    plainHttp: registry.plainHttp,
    caCertificates: registry.caPem ? [registry.caPem] : [],
    ...(registry.username && registry.password
      ? { credentials: basicCredentials(registry.username, registry.password) }
      : {}),
    tokenCache: new TokenCache(),
  });
  if (result.status === 'failing') {
    throw new Error(`probe of ${ref} failed: ${JSON.stringify(result.diagnosis)}`);
  }
  return result;
};
