import { anonymous, type CredentialProvider } from '../credentials/types.ts';
import type { ChallengeCache } from '../registry/challenge-cache.ts';
import type { ConnectionPool } from '../registry/connection-pool.ts';
import type { HardStop } from '../registry/deadline.ts';
import type { ManifestCache } from '../registry/manifest-cache.ts';
import type { Invocation, RegistryProfileName } from '../registry/profiles.ts';
import type { TokenCache } from '../registry/token.ts';
import { DEFAULT_RUNBOOK_BASE_URL } from './codes.ts';

/** Everything a single probe run can be told. Defaults are applied by `withProbeDefaults`. */
export interface ProbeOptions {
  /** Platforms that must be present in a multi-arch index, as os/arch[/variant]. @default ['linux/amd64'] */
  platforms: string[];
  /** Overall deadline for the whole probe. @default 10_000 */
  timeoutMs: number;
  /** Deadline for any single request, within the overall deadline. @default 5_000 */
  requestTimeoutMs: number;
  /** Talk HTTP instead of HTTPS to the registry. @default false */
  plainHttp: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's defaults. @default [] */
  caCertificates: string[];
  /** Download the smallest layer and verify its sha256. @default false */
  verifyBlob: boolean;
  /** Cap on the verified layer's size. @default 5 MiB */
  verifyBlobMaxBytes: number;
  /** Where credentials come from. @default anonymous */
  credentials: CredentialProvider;
  /** A probe slower than this is degraded with SLOW. @default 5_000 */
  slowThresholdMs: number;
  /** Warn with CERT_EXPIRING below this many days. @default 14 */
  certExpiryWarningDays: number;
  /** Warn with RATE_LIMIT_LOW below this fraction of the limit. @default 0.2 */
  rateLimitWarningRatio: number;
  /** Base URL for runbook links. @default DEFAULT_RUNBOOK_BASE_URL */
  runbookBaseUrl: string;
  /**
   * The registry family, for a self-hosted registry its host cannot identify (Harbor, Nexus...):
   * a target's `profile`, the CLI's `--profile`. @default recognised from the host, else generic
   */
  profile?: RegistryProfileName;
  /**
   * How the run was invoked (`npx registry-canary` and the flags that shape the probe), so that
   * next steps can be pasted as they are. @default `registry-canary` with no flags
   */
  invocation?: Invocation;
  /** Proxy settings; by default read from HTTPS_PROXY / HTTP_PROXY / NO_PROXY like docker does. */
  proxy?: { httpsProxy?: string; httpProxy?: string; noProxy?: string };
  /**
   * Where Bearer tokens are cached for their life. @default one cache shared by every probe in the
   * process, so warm Lambda invocations and repeated probes reuse tokens.
   */
  tokenCache?: TokenCache;
  /**
   * Where verified manifests are kept by digest, so a digest already read is not fetched again
   * (a manifest GET spends a Docker Hub pull). @default one cache shared by every probe in the process
   */
  manifestCache?: ManifestCache;
  /**
   * Where connections are leased from, so the next probe of the same registry reuses them
   * (connection-pool.ts). @default one pool shared by every probe in the process
   */
  connectionPool?: ConnectionPool;
  /**
   * Each registry's /v2/ challenge, once a probe has pinged it, so later probes of it skip the ping
   * (challenge-cache.ts). @default one cache shared by every probe in the process
   */
  challengeCache?: ChallengeCache;
  /**
   * When the probe, its wind-down included, must be over: the run service's hard stop for the
   * target, derived from the invocation's one deadline. The probe's own deadline is `timeoutMs`,
   * cut to end no later than this; after it the walk may still fail on its own (naming its step) and
   * close its connections until the hard stop, and no longer. @default `timeoutMs + windDownMs` from now
   */
  stop?: HardStop;
  /**
   * Without a `stop`, how long after its deadline the probe may take to wind down (the walk failing
   * with the step it was in, then its connections closing). @default 650
   */
  windDownMs: number;
  /**
   * Cancels the probe from outside (the Lambda handler's hard stop): on abort the probe's deadline
   * ends at once, in-flight requests are aborted and its connections are closed, and the result
   * (a TIMEOUT) follows within a few hundred ms. @default none: only the probe's own deadline ends it
   */
  signal?: AbortSignal;
}

/** The probe's defaults, as documented on each option. */
export const PROBE_DEFAULTS: Readonly<
  Omit<
    ProbeOptions,
    | 'proxy'
    | 'tokenCache'
    | 'manifestCache'
    | 'connectionPool'
    | 'challengeCache'
    | 'signal'
    | 'stop'
    | 'profile'
    | 'invocation'
  >
> = Object.freeze({
  platforms: ['linux/amd64'],
  timeoutMs: 10_000,
  requestTimeoutMs: 5_000,
  plainHttp: false,
  caCertificates: [],
  verifyBlob: false,
  verifyBlobMaxBytes: 5 * 1024 * 1024,
  credentials: anonymous,
  slowThresholdMs: 5_000,
  certExpiryWarningDays: 14,
  rateLimitWarningRatio: 0.2,
  runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
  windDownMs: 650,
});

/** Fills every option that was not given (or given as undefined) with its default. */
export function withProbeDefaults(options: Partial<ProbeOptions> = {}): ProbeOptions {
  const given = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<ProbeOptions>;
  const merged: ProbeOptions = {
    ...PROBE_DEFAULTS,
    platforms: [...PROBE_DEFAULTS.platforms],
    caCertificates: [],
    ...given,
  };
  if (merged.platforms.length === 0) merged.platforms = [...PROBE_DEFAULTS.platforms];
  return merged;
}
