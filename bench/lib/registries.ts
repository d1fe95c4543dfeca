/**
 * The bench's registries, started with the integration-test harness (test/integration/harness):
 * the real CNCF distribution registry in each auth mode, one multi-arch image pushed to each, and
 * a fault proxy in front of each that holds every request for a fixed delay.
 */
import { createTestCertificates } from '../../test/integration/harness/certs.ts';
import { type FaultProxy, startFaultProxy } from '../../test/integration/harness/fault-proxy.ts';
import { buildMultiArchImage, pushImage } from '../../test/integration/harness/fixture.ts';
import { type RunningRegistry, startRegistry } from '../../test/integration/harness/registry.ts';
import { startTokenServer } from '../../test/integration/harness/token-server.ts';
import type { ScaleRegistry } from './scale-protocol.ts';
import type { BenchRegistry } from './targets.ts';

export const REPOSITORY = 'bench/multi';
export const TAG = 'latest';
const USER = 'bench';
// A throwaway password for a throwaway loopback registry; bcrypt cost 4 (the harness default).
const PASSWORD = 'bench-password';

export interface ProxiedPair {
  direct: BenchRegistry;
  proxied: BenchRegistry;
  /** Requests that went through the proxy so far (a token realm elsewhere is not proxied). */
  proxiedRequests(): number;
}

export interface BenchRegistries {
  /** plain, tls-basic, token: every contender is pointed at each. */
  all: BenchRegistry[];
  proxied: ProxiedPair[];
  /** The HTTPS registries, as the scale child's targets (the deployed probe always speaks HTTPS). */
  forScale: ScaleRegistry[];
  stop(): Promise<void>;
}

function asBench(running: RunningRegistry, host: string, url: string, basic: boolean): BenchRegistry {
  return {
    mode: running.mode,
    host,
    baseUrl: url,
    plainHttp: !running.tls,
    ...(running.caPem ? { caPem: running.caPem, caFile: running.certificates!.ca.certPath } : {}),
    ...(basic ? { username: USER, password: PASSWORD } : {}),
    ref: `${host}/${REPOSITORY}:${TAG}`,
  };
}

export async function startBenchRegistries(options: { delayMs: number }): Promise<BenchRegistries> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const certificates = await createTestCertificates();
    stops.push(() => certificates.remove());
    const tokenServer = await startTokenServer({
      users: { [USER]: PASSWORD },
      tls: certificates.leaves.valid,
    });
    stops.push(() => tokenServer.stop());

    const plain = await startRegistry({ mode: 'plain' });
    stops.push(() => plain.stop());
    const tlsBasic = await startRegistry({ mode: 'tls-basic', users: { [USER]: PASSWORD }, certificates });
    stops.push(() => tlsBasic.stop());
    const token = await startRegistry({
      mode: 'token',
      tokenAuthority: tokenServer,
      tls: true,
      certificates,
    });
    stops.push(() => token.stop());

    const image = buildMultiArchImage();
    const credentials = { username: USER, password: PASSWORD };
    for (const registry of [plain, tlsBasic, token]) {
      await pushImage({ ...registry, credentials }, REPOSITORY, TAG, image);
    }

    // Basic credentials only where the registry demands them; the token registry allows anonymous
    // pulls, as Docker Hub does for public images.
    const running = [
      { registry: plain, basic: false },
      { registry: tlsBasic, basic: true },
      { registry: token, basic: false },
    ];
    const all = running.map(({ registry, basic }) => asBench(registry, registry.host, registry.url, basic));

    const proxied: ProxiedPair[] = [];
    for (const [i, { registry, basic }] of running.entries()) {
      const proxy: FaultProxy = await startFaultProxy({
        target: registry.url,
        targetCaPem: registry.caPem,
        ...(registry.tls ? { tls: certificates.leaves.valid } : {}),
      });
      stops.push(() => proxy.stop());
      proxy.setFaults({ delayMs: options.delayMs });
      proxied.push({
        direct: all[i]!,
        proxied: asBench(registry, proxy.host, proxy.url, basic),
        proxiedRequests: () => proxy.requests.length,
      });
    }

    const forScale: ScaleRegistry[] = all
      .filter((r) => !r.plainHttp)
      .map((r) => ({
        ref: r.ref,
        registry: r.host,
        repository: REPOSITORY,
        reference: TAG,
        ...(r.caPem ? { caPem: r.caPem } : {}),
        ...(r.username ? { username: r.username, password: r.password } : {}),
      }));

    return { all, proxied, forScale, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
