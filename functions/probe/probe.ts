/**
 * One probe: walk the path `docker pull` walks against one image, time every request, and end in
 * a ProbeResult, whatever happens. Only an invalid reference throws (it is the caller's mistake);
 * every other failure, including an unforeseen exception, becomes a diagnosis, and the overall
 * deadline always holds.
 *
 * The walk: credentials -> handshake (ping, only for the first probe of a registry in the process;
 * token; the registry client then owns the login and its one re-login) -> manifest HEAD (a refused
 * HEAD is repeated as a GET, whose error body the registry's dialect reads) -> manifest GET (only
 * for a digest not read before; with nothing of the repository cached, the GET without a HEAD) -> each required
 * platform's manifest (HEAD when already read) -> each one's config blob HEAD (redirects by hand)
 * -> optionally one layer of the first platform, downloaded and verified.
 */
import { CredentialsUnavailableError, type RegistryCredentials } from '../credentials/types.ts';
import { type AuthOptions, logIn } from '../registry/auth.ts';
import { headBlob, verifyBlob } from '../registry/blob.ts';
import { ChallengeCache } from '../registry/challenge-cache.ts';
import { Deadline, type HardStop, hardStopIn } from '../registry/deadline.ts';
import { ProtocolError } from '../registry/errors.ts';
import { anonymousForeignLogin } from '../registry/foreign-challenge.ts';
import { HttpClient } from '../registry/http.ts';
import { isImageConfig, readImagePlatform } from '../registry/image-config.ts';
import {
  type Descriptor,
  fetchManifest,
  headManifest,
  type Manifest,
  platformsOf,
  selectPlatforms,
} from '../registry/manifest.ts';
import { CachedManifestReader, ManifestCache } from '../registry/manifest-cache.ts';
import { profileForHost } from '../registry/profiles.ts';
import { proxyFor, proxySettingsFromEnv } from '../registry/proxy.ts';
import { SecretScrubber } from '../registry/redact.ts';
import { type ImageReference, parseReference } from '../registry/reference.ts';
import { RegistryClient } from '../registry/registry-client.ts';
import { inspectCertificate } from '../registry/tls-inspect.ts';
import { TokenCache } from '../registry/token.ts';
import { type DiagnoseContext, diagnose } from './diagnose.ts';
import { type ProbeOptions, withProbeDefaults } from './options.ts';
import type { Diagnosis, ProbeResult, ProbeStep, VerifiedBlob } from './result.ts';
import { warningsFor } from './warnings.ts';

/** Tokens are cached across probes in one process (a warm Lambda, a CLI probing several refs). */
const sharedTokenCache = new TokenCache();
/** So are verified manifests, so that an unchanged image costs no Docker Hub pull (manifest-cache.ts). */
const sharedManifestCache = new ManifestCache();
/** And each registry's /v2/ challenge, so only the first probe of a registry pings it (challenge-cache.ts). */
const sharedChallengeCache = new ChallengeCache();

type ImageManifest = Extract<Manifest, { kind: 'image' }>;

/** Diagnoses for which the failing certificate is read (without trusting it) and shown as evidence. */
const CERTIFICATE_CODES = new Set(['TLS_EXPIRED', 'TLS_UNTRUSTED', 'TLS_HOSTNAME_MISMATCH']);
const CERT_INSPECT_MS = 2_000;

function certificateEvidence(tls: NonNullable<ProbeResult['tls']>): string[] {
  return [
    `certificate subject: ${tls.subject}`,
    `certificate issuer: ${tls.issuer}`,
    `certificate valid to: ${tls.validTo} (${tls.daysRemaining} days)`,
  ];
}

interface WalkState {
  digest: string | null;
  platforms: string[];
  verifiedBlob?: VerifiedBlob;
}

/** Probes one image reference. Throws InvalidReferenceError only; everything else is in the result. */
export async function probeImage(ref: string, options: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  const image = parseReference(ref);
  const opts = withProbeDefaults(options);
  const started = performance.now();
  const steps: ProbeStep[] = [];
  const state: WalkState = { digest: null, platforms: [] };
  const scrubber = new SecretScrubber();
  const profile = profileForHost(image.registry, opts.profile);
  // One chain of deadlines: the caller's hard stop (the run's, derived from the invocation's), and
  // the probe's own deadline within it. Between the two the walk may fail on its own, naming the
  // step it was in, and close its connections; at the hard stop everything ends.
  const stop: HardStop = opts.stop ?? hardStopIn(opts.timeoutMs + opts.windDownMs);
  const deadline = new Deadline(Math.max(1, Math.min(opts.timeoutMs, Math.floor(stop.remainingMs()))));
  // The caller's cancellation (or the hard stop) ends the deadline, so the walk stops and its
  // sockets close exactly as at a timeout; without it a caller that stopped waiting would leave
  // the probe holding connections.
  const cancellers = [opts.signal, stop.signal].filter((s): s is AbortSignal => s !== undefined);
  const onCancel = (event?: Event) =>
    deadline.cancel(describeAbort((event?.target as AbortSignal | undefined)?.reason ?? opts.signal?.reason));
  for (const signal of cancellers) {
    if (signal.aborted) deadline.cancel(describeAbort(signal.reason));
    else signal.addEventListener('abort', onCancel, { once: true });
  }
  const proxy = opts.proxy ?? proxySettingsFromEnv();
  const http = new HttpClient({
    deadline,
    requestTimeoutMs: opts.requestTimeoutMs,
    caCertificates: opts.caCertificates,
    proxy,
    onStep: (step) => steps.push(step),
    trustedHost: new URL(`http://${image.registry}`).hostname,
    ...(opts.connectionPool ? { pool: opts.connectionPool } : {}),
  });
  const baseUrl = new URL(`${opts.plainHttp ? 'http' : 'https'}://${image.registry}`);
  const registry = new RegistryClient(http, baseUrl, image.repository);

  let failure: unknown = null;
  try {
    await guard(walk(image, opts, registry, state, scrubber, profile), deadline, stop.signal);
  } catch (error) {
    failure = error;
  } finally {
    for (const signal of cancellers) signal.removeEventListener('abort', onCancel);
    deadline.dispose();
    // Closing may take until the hard stop, no longer: the result is returned then regardless.
    await Promise.race([http.close(), aborted(stop.signal)]);
  }

  const durationMs = Math.round(performance.now() - started);
  const ctx: DiagnoseContext = {
    registry: image.registry,
    repository: image.repository,
    reference: image.reference,
    plainHttp: opts.plainHttp,
    profile,
    runbookBaseUrl: opts.runbookBaseUrl,
    credentialSource: opts.credentials.source,
    platforms: opts.platforms,
    login: registry.login,
    ...(opts.invocation ? { invocation: opts.invocation } : {}),
  };
  let diagnosis = failure === null ? null : scrubDiagnosis(safeDiagnose(failure, ctx), scrubber);
  let tls = registry.tls;
  // Within the deadline, and only directly: through a proxy the registry may not be reachable at all.
  const inspectMs = Math.min(CERT_INSPECT_MS, deadline.remainingMs());
  if (
    diagnosis &&
    CERTIFICATE_CODES.has(diagnosis.code) &&
    tls === null &&
    inspectMs > 50 &&
    !proxyFor(baseUrl, proxy)
  ) {
    const hostname = baseUrl.hostname.replace(/^\[|\]$/g, '');
    tls = await inspectCertificate(hostname, Number(baseUrl.port || 443), inspectMs);
    if (tls) diagnosis = { ...diagnosis, evidence: [...diagnosis.evidence, ...certificateEvidence(tls)] };
  }
  const warnings = warningsFor({ rateLimit: registry.rateLimit, tls, durationMs }, opts, {
    registry: image.registry,
    repository: image.repository,
    reference: image.reference,
    plainHttp: opts.plainHttp,
    ...(opts.invocation ? { invocation: opts.invocation } : {}),
  }).map((w) => ({
    ...w,
    summary: scrubber.scrub(w.summary),
    nextSteps: (w.nextSteps ?? []).map((s) => scrubber.scrub(s)),
  }));
  return {
    ref,
    registry: image.registry,
    repository: image.repository,
    reference: image.reference,
    status: diagnosis ? 'failing' : warnings.length > 0 ? 'degraded' : 'healthy',
    diagnosis,
    warnings,
    digest: state.digest,
    platforms: state.platforms,
    rateLimit: registry.rateLimit,
    tls,
    steps: steps.map((s) => ({ ...s, url: scrubber.scrub(s.url) })),
    durationMs,
    ...(state.verifiedBlob ? { verifiedBlob: state.verifiedBlob } : {}),
  };
}

async function walk(
  image: ImageReference,
  opts: ProbeOptions,
  registry: RegistryClient,
  state: WalkState,
  scrubber: SecretScrubber,
  profile: ReturnType<typeof profileForHost>,
): Promise<void> {
  const credentials = await resolveCredentials(opts, image.registry);
  if (credentials?.kind === 'basic') scrubber.add(credentials.password, credentials.username);
  if (credentials?.kind === 'identity-token') scrubber.add(credentials.identityToken);

  const authOptions: AuthOptions = {
    credentials,
    tokenCache: opts.tokenCache ?? sharedTokenCache,
    challengeCache: opts.challengeCache ?? sharedChallengeCache,
    profile,
    scrubber,
    ...(opts.credentials.refresh
      ? { refreshCredentials: () => refreshCredentials(opts, image.registry) }
      : {}),
  };
  // A host a redirect leads to gets an anonymous token of its own, never these credentials.
  registry.answerForeignChallenge = anonymousForeignLogin(registry.http, authOptions);
  // The client owns its login from here on, and logs in again by itself once if the token is refused.
  await logIn(registry, authOptions);

  const manifests = new CachedManifestReader(
    registry,
    opts.manifestCache ?? sharedManifestCache,
    image.registry,
    image.repository,
  );
  // A HEAD only where it can spare the GET: when the cache holds manifests of this repository.
  const head = manifests.warm
    ? await headManifest(registry, image.reference)
    : await fetchManifest(registry, image.reference);
  state.digest = head.digest;
  const top = await manifests.resolved(image.reference, head);
  state.digest = top.digest;
  const images = await walkPlatforms(registry, manifests, top.manifest, opts.platforms, state);
  const manifest = images[0]!;

  if (opts.verifyBlob) {
    const blob = smallestBlob(manifest, opts.verifyBlobMaxBytes);
    if (blob) {
      const verified = await verifyBlob(registry, blob.digest, blob.size);
      state.verifiedBlob = {
        digest: verified.digest,
        bytes: verified.bytes,
        throughputBytesPerSecond: verified.throughputBytesPerSecond,
      };
    }
  }
}

/**
 * The image manifest of every required platform, each walked to its config blob: a broken arm64
 * manifest breaks arm64 nodes even when amd64 pulls fine.
 */
async function walkPlatforms(
  registry: RegistryClient,
  manifests: CachedManifestReader,
  top: Manifest,
  required: string[],
  state: WalkState,
): Promise<ImageManifest[]> {
  if (top.kind === 'image') {
    await checkSingleImagePlatform(registry, top, required, state);
    return [top];
  }
  state.platforms = platformsOf(top.manifests);
  const images: ImageManifest[] = [];
  for (const [i, entry] of selectPlatforms(top.manifests, required).entries()) {
    const manifest = await manifests.byDigest(entry.digest, entry.size);
    if (manifest.kind !== 'image') {
      throw new ProtocolError(`the index entry ${entry.digest} for ${required[i]} is itself an index`, [
        `mediaType: ${manifest.mediaType}`,
      ]);
    }
    images.push(manifest);
  }
  for (const platformImage of images) await headBlob(registry, platformImage.config.digest);
  return images;
}

/**
 * A tag without an index has no platform list: read the platform from the image config instead
 * (a GET of a few KiB in place of the config HEAD), so an amd64-only image fails linux/arm64.
 * Artifacts whose config is not an image config (Helm charts, signatures) are only HEADed.
 */
async function checkSingleImagePlatform(
  registry: RegistryClient,
  manifest: ImageManifest,
  required: string[],
  state: WalkState,
): Promise<void> {
  if (!isImageConfig(manifest.config)) {
    await headBlob(registry, manifest.config.digest);
    return;
  }
  const platform = await readImagePlatform(registry, manifest.config);
  if (!platform) return;
  const described = { ...manifest.config, platform };
  state.platforms = platformsOf([described]);
  selectPlatforms([described], required, 'image');
}

/**
 * Settles with `work`, or rejects with the deadline's TimeoutError at the hard stop. After the
 * deadline the walk still gets until the hard stop to fail on its own: its error names the step
 * that was running, which the bare deadline cannot. A walk stuck elsewhere is cut off there.
 */
function guard<T>(work: Promise<T>, deadline: Deadline, stop: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(deadline.signal.reason ?? stop.reason);
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    const settle = () => {
      stop.removeEventListener('abort', onStop);
    };
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/** Resolves when `signal` aborts (at once when it has). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function describeAbort(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/** The smallest layer under the cap; the config blob when no layer fits (it is a blob like any other). */
function smallestBlob(manifest: ImageManifest, maxBytes: number): Descriptor | null {
  const fitting = manifest.layers.filter((l) => l.size <= maxBytes).sort((a, b) => a.size - b.size);
  if (fitting[0]) return fitting[0];
  return manifest.config.size <= maxBytes ? manifest.config : null;
}

async function resolveCredentials(
  opts: ProbeOptions,
  registryHost: string,
): Promise<RegistryCredentials | null> {
  try {
    return await opts.credentials.resolve(registryHost);
  } catch (error) {
    if (error instanceof CredentialsUnavailableError) throw error;
    // A provider that fails in an unforeseen way still means: no credentials could be obtained.
    throw new CredentialsUnavailableError(
      `the ${opts.credentials.source} credential provider failed: ${error instanceof Error ? error.message : String(error)}`,
      (error as { code?: string; name?: string } | null)?.code ?? (error as Error | null)?.name,
      { cause: error },
    );
  }
}

/** The provider's fresh credentials, with its failures named as resolveCredentials names them. */
async function refreshCredentials(
  opts: ProbeOptions,
  registryHost: string,
): Promise<RegistryCredentials | null> {
  const provider = opts.credentials;
  return resolveCredentials(
    { ...opts, credentials: { source: provider.source, resolve: (host) => provider.refresh!(host) } },
    registryHost,
  );
}

/** diagnose() must not be the thing that crashes a probe. */
function safeDiagnose(error: unknown, ctx: DiagnoseContext): Diagnosis {
  try {
    return diagnose(error, ctx);
  } catch (bug) {
    return {
      code: 'PROTOCOL_ERROR',
      summary: `The probe failed (${String(error)}) and could not diagnose it (${String(bug)}).`,
      evidence: [String(error)],
      nextSteps: [],
      runbook: `${ctx.runbookBaseUrl.replace(/\/+$/, '')}/PROTOCOL_ERROR.md`,
    };
  }
}

function scrubDiagnosis(diagnosis: Diagnosis, scrubber: SecretScrubber): Diagnosis {
  return {
    ...diagnosis,
    summary: scrubber.scrub(diagnosis.summary),
    evidence: diagnosis.evidence.map((e) => scrubber.scrub(e)),
    nextSteps: diagnosis.nextSteps.map((s) => scrubber.scrub(s)),
  };
}
