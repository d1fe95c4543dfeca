/**
 * Manifests: HEAD first (on Docker Hub a HEAD spends no pull), recording Docker-Content-Digest;
 * GET only when the body is needed: an index or list for the platform check, or a manifest for
 * its config blob. When nothing of the repository is cached the HEAD could not spare the GET, so
 * the GET goes first (fetchManifest). Every body fetched is checked against its digest.
 */
import { createHash } from 'node:crypto';
import { checkDigest, quoteDigest } from './digest.ts';
import {
  AuthenticationError,
  DigestMismatchError,
  InvalidDigestError,
  PlatformMissingError,
  ProtocolError,
  RegistryHttpError,
} from './errors.ts';
import type { HttpExchange } from './http.ts';
import { redactUrl } from './redact.ts';
import type { RegistryClient } from './registry-client.ts';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** Every type the probe understands. Without an index type a multi-arch tag answers 404; without any, Docker Hub serves schema1. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');

const KNOWN_MANIFEST_TYPES = new Map<string, 'index' | 'image'>([
  [MEDIA_TYPES.ociIndex, 'index'],
  [MEDIA_TYPES.dockerList, 'index'],
  [MEDIA_TYPES.ociManifest, 'image'],
  [MEDIA_TYPES.dockerManifest, 'image'],
]);

/**
 * Content-Types that say nothing about the manifest: the body's own mediaType decides then. Some
 * registries and proxies serve manifests as plain JSON, and the OCI manifest's mediaType field
 * says what it is.
 */
const GENERIC_CONTENT_TYPES = new Set(['', 'application/json']);

/** Distinct platforms listed in a result; an index with 20,000 entries gets a summary, not a list. */
export const MAX_LISTED_PLATFORMS = 32;

/** Manifests are read up to 4 MiB, the limit registries themselves apply. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export type Manifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

export interface ManifestHead {
  digest: string;
  mediaType: string | null;
  /** The GET a 404/405 HEAD was repeated with (to read the error body, or for registries without HEAD). */
  fetched: FetchedManifest | null;
}

export interface FetchedManifest {
  digest: string;
  manifest: Manifest;
  /** Size of the manifest's bytes as served. */
  bytes: number;
}

/**
 * HEAD the manifest. A HEAD that fails is repeated as a bounded GET, whose body names the error:
 * a HEAD answer has no body, so a 404 cannot tell NAME_UNKNOWN from MANIFEST_UNKNOWN, ECR's 403
 * cannot tell an expired token ("Your authorization token has expired", flipt-io/flipt#3043) from
 * a missing permission, and ECR Public's 400 for an invalid token (apple/container#847) says
 * nothing at all. go-containerregistry's error text says the same ("HEAD responses have no body,
 * use GET for details", cloudfoundry/korifi#1720). The GET spends no Docker Hub pull unless it
 * succeeds, and its error body is read up to MAX_ERROR_BODY_BYTES (registry-client.ts).
 */
export async function headManifest(registry: RegistryClient, reference: string): Promise<ManifestHead> {
  const url = registry.repositoryUrl(`manifests/${reference}`);
  let exchange: HttpExchange;
  try {
    exchange = await registry.send('manifest-head', 'HEAD', url, { accept: MANIFEST_ACCEPT });
  } catch (error) {
    const status = failedStatus(error);
    if (status !== null && status >= 400) {
      let fetched: FetchedManifest;
      try {
        fetched = await getManifest(registry, reference, 'manifest-get');
      } catch (getError) {
        throw await missingRepositoryOr(registry, getError);
      }
      return { digest: fetched.digest, mediaType: fetched.manifest.mediaType, fetched };
    }
    throw error;
  }
  const declared = exchange.headers['docker-content-digest'];
  if (declared !== undefined)
    validDigest(declared, `the Docker-Content-Digest header of HEAD ${redactUrl(url)}`);
  const digest = declared ?? (isDigest(reference) ? reference : undefined);
  if (!digest) {
    throw new ProtocolError(`HEAD ${redactUrl(url)}: response did not include Docker-Content-Digest header`, [
      `status: ${exchange.status}`,
      'Docker-Content-Digest: (missing)',
    ]);
  }
  return { digest, mediaType: mediaTypeOf(exchange.headers['content-type']), fetched: null };
}

/**
 * The manifest by GET alone, when no HEAD could spare the GET (nothing of the repository is
 * cached): one request fewer, the same one Docker Hub pull. A refusal is read as a refused HEAD's
 * GET is, including the tags/list that tells a missing repository from a missing tag.
 */
export async function fetchManifest(registry: RegistryClient, reference: string): Promise<ManifestHead> {
  let fetched: FetchedManifest;
  try {
    fetched = await getManifest(registry, reference, 'manifest-get');
  } catch (error) {
    throw await missingRepositoryOr(registry, error);
  }
  return { digest: fetched.digest, mediaType: fetched.manifest.mediaType, fetched };
}

/** The status of a refused HEAD (a 401 arrives wrapped in an AuthenticationError), or null for no answer. */
function failedStatus(error: unknown): number | null {
  if (error instanceof RegistryHttpError) return error.status;
  if (error instanceof AuthenticationError) return error.httpError.status;
  return null;
}

/**
 * The distribution registry (and registries built on it) answers MANIFEST_UNKNOWN for any tag of a
 * repository that does not exist; only tags/list says NAME_UNKNOWN. One extra GET, made only when
 * the manifest is missing, tells "wrong tag" from "wrong repository" for the person on call.
 */
async function missingRepositoryOr(registry: RegistryClient, error: unknown): Promise<unknown> {
  if (
    !(error instanceof RegistryHttpError) ||
    error.status !== 404 ||
    error.registryCode !== 'MANIFEST_UNKNOWN'
  ) {
    return error;
  }
  try {
    await registry.send('tags-list', 'GET', registry.repositoryUrl('tags/list?n=1'));
  } catch (listError) {
    if (listError instanceof RegistryHttpError && listError.registryCode === 'NAME_UNKNOWN') return listError;
  }
  return error;
}

/** GET and parse a manifest, checking its bytes against the digest the registry declared or the reference pins. */
export async function getManifest(
  registry: RegistryClient,
  reference: string,
  step: 'manifest-get' | 'platform-manifest',
  expectedDigest?: string,
  /** The size the index entry declares; the bytes must have it (containerd checks it at commit). */
  expectedSize?: number,
): Promise<FetchedManifest> {
  const url = registry.repositoryUrl(`manifests/${reference}`);
  const exchange = await registry.send(step, 'GET', url, {
    accept: MANIFEST_ACCEPT,
    maxBodyBytes: MAX_MANIFEST_BYTES,
    bodyOverflow: 'error',
  });
  const declared = exchange.headers['docker-content-digest'];
  if (declared !== undefined)
    validDigest(declared, `the Docker-Content-Digest header of GET ${redactUrl(url)}`);
  if (expectedSize !== undefined && exchange.body.length !== expectedSize) {
    throw new ProtocolError(
      `GET ${redactUrl(url)}: the manifest is ${exchange.body.length} bytes, its descriptor in the index says ${expectedSize}`,
      [`descriptor size: ${expectedSize}`, `bytes served: ${exchange.body.length}`, `digest: ${reference}`],
    );
  }
  const expected = expectedDigest ?? (isDigest(reference) ? reference : declared);
  const actual = digestOf(exchange.body, expected);
  if (expected && actual !== expected) throw new DigestMismatchError(redactUrl(url), expected, actual);
  const manifest = parseManifest(
    exchange.body,
    mediaTypeOf(exchange.headers['content-type']),
    redactUrl(url),
  );
  return { digest: expected ?? actual, manifest, bytes: exchange.body.length };
}

/**
 * Parses a manifest as docker does. The Content-Type picks the parser, as distribution's
 * UnmarshalManifest picks one by media type (an unknown type fails with "unsupported manifest
 * media type and no default available"), and the body's own mediaType, when present, must agree
 * with it ("if present, mediaType in manifest should be ..." in distribution's
 * manifest/ocischema/manifest.go and its schema2 and manifestlist siblings). Every descriptor is
 * checked (digest.ts; size a non-negative integer) before anything can put it into a URL.
 */
export function parseManifest(body: Buffer, contentType: string | null, where: string): Manifest {
  let json: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    json = parsed as Record<string, unknown>;
  } catch (cause) {
    throw new ProtocolError(
      `GET ${where}: the manifest is not a JSON object`,
      [
        `content-type: ${contentType ?? '(none)'}`,
        `body starts: ${JSON.stringify(body.subarray(0, 60).toString('utf8'))}`,
      ],
      {
        cause,
      },
    );
  }
  const bodyType = typeof json['mediaType'] === 'string' ? json['mediaType'] : null;
  const headerType = contentType !== null && !GENERIC_CONTENT_TYPES.has(contentType) ? contentType : null;
  const declared = headerType ?? bodyType;
  // Only Docker's schema1 types; the OCI manifest type also contains "manifest.v1".
  if (
    json['schemaVersion'] === 1 ||
    declared?.startsWith('application/vnd.docker.distribution.manifest.v1')
  ) {
    throw new ProtocolError(
      `GET ${where}: the registry served a schema1 manifest, which docker no longer pulls`,
      [`mediaType: ${declared ?? '(none)'}`],
    );
  }
  const evidence = [
    `content-type: ${contentType ?? '(none)'}`,
    `mediaType in the body: ${bodyType ?? '(none)'}`,
  ];
  if (declared !== null && !KNOWN_MANIFEST_TYPES.has(declared)) {
    throw new ProtocolError(
      `GET ${where}: unsupported manifest media type ${declared}; docker refuses it ("unsupported manifest media type and no default available")`,
      evidence,
    );
  }
  if (headerType !== null && bodyType !== null && bodyType !== headerType) {
    throw new ProtocolError(
      `GET ${where}: the Content-Type says ${headerType} but the manifest's mediaType says ${bodyType}; docker refuses a manifest whose mediaType contradicts its type`,
      evidence,
    );
  }
  const kind =
    declared !== null
      ? KNOWN_MANIFEST_TYPES.get(declared)!
      : Array.isArray(json['manifests'])
        ? 'index'
        : 'image';
  const mediaType = declared ?? '';
  if (kind === 'index') {
    if (!Array.isArray(json['manifests'])) {
      throw new ProtocolError(`GET ${where}: the index has no manifests array`, evidence);
    }
    return {
      kind,
      mediaType,
      manifests: json['manifests'].map((entry, i) => descriptorAt(entry, `manifests[${i}] of GET ${where}`)),
    };
  }
  if (typeof json['config'] !== 'object' || json['config'] === null) {
    throw new ProtocolError(
      `GET ${where}: the manifest is neither an index (manifests) nor an image (config)`,
      [`mediaType: ${mediaType || '(none)'}`],
    );
  }
  const config = descriptorAt(json['config'], `config of GET ${where}`);
  const rawLayers = json['layers'] ?? [];
  if (!Array.isArray(rawLayers)) throw new ProtocolError(`GET ${where}: layers is not an array`, evidence);
  const layers = rawLayers.map((layer, i) => descriptorAt(layer, `layers[${i}] of GET ${where}`));
  return { kind, mediaType, config, layers };
}

/**
 * A descriptor checked as the OCI image spec defines one (descriptor.md): a digest docker accepts,
 * a size that is a non-negative integer (int64; here a safe integer), a string mediaType when present.
 */
function descriptorAt(value: unknown, source: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(`${source}: not a descriptor object`, [`from: ${source}`]);
  }
  const d = value as Record<string, unknown>;
  const digest = validDigest(d['digest'], source);
  const size = d['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ProtocolError(`${source}: the size ${JSON.stringify(size)} is not a non-negative integer`, [
      `from: ${source}`,
      `size: ${JSON.stringify(size)}`,
    ]);
  }
  if (d['mediaType'] !== undefined && typeof d['mediaType'] !== 'string') {
    throw new ProtocolError(`${source}: mediaType is not a string`, [`from: ${source}`]);
  }
  const platform = d['platform'];
  return {
    digest,
    size,
    ...(typeof d['mediaType'] === 'string' ? { mediaType: d['mediaType'] } : {}),
    ...(typeof platform === 'object' && platform !== null
      ? { platform: platform as Descriptor['platform'] }
      : {}),
  };
}

/** The digest when docker would accept it; an InvalidDigestError naming the source otherwise. */
function validDigest(value: unknown, source: string): string {
  const check = checkDigest(value);
  if (!check.valid) throw new InvalidDigestError(source, quoteDigest(value), check.reason);
  return check.digest;
}

/**
 * The distinct os/arch[/variant] of the images in an index, skipping attestations
 * (unknown/unknown), in index order. Past MAX_LISTED_PLATFORMS the list ends with one summary
 * entry, so a hostile index of 20,000 entries cannot blow up a result, a log line or an alert.
 */
export function platformsOf(manifests: Descriptor[]): string[] {
  const distinct = [...new Set(manifests.map(platformString).filter((p): p is string => p !== null))];
  if (distinct.length <= MAX_LISTED_PLATFORMS) return distinct;
  return [
    ...distinct.slice(0, MAX_LISTED_PLATFORMS),
    `… and ${distinct.length - MAX_LISTED_PLATFORMS} more (${manifests.length} index entries)`,
  ];
}

/**
 * The index entry for each required platform, in order. A requirement without a variant matches
 * any variant; arm64 without a variant means v8, as docker normalises it.
 * Throws PlatformMissingError listing what the index has.
 */
export function selectPlatforms(
  manifests: Descriptor[],
  required: string[],
  source: 'index' | 'image' = 'index',
): Descriptor[] {
  const missing: string[] = [];
  const selected: Descriptor[] = [];
  for (const want of required) {
    const match = manifests.find((m) => platformMatches(m, want));
    if (match) selected.push(match);
    else missing.push(want);
  }
  if (missing.length > 0) throw new PlatformMissingError(missing, platformsOf(manifests), source);
  return selected;
}

function platformMatches(descriptor: Descriptor, want: string): boolean {
  const [os, arch, variant] = want.toLowerCase().split('/');
  const p = descriptor.platform;
  if (!p || p.os?.toLowerCase() !== os || p.architecture?.toLowerCase() !== arch) return false;
  if (variant === undefined) return true;
  const have = p.variant?.toLowerCase() ?? (arch === 'arm64' ? 'v8' : undefined);
  return have === variant;
}

function platformString(descriptor: Descriptor): string | null {
  const p = descriptor.platform;
  if (!p?.os || !p.architecture || p.os === 'unknown') return null;
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Whether a reference is a digest (by the OCI grammar; parseReference has already validated it). */
export function isDigest(reference: string): boolean {
  return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(reference);
}

/** The digest of `bytes` in the algorithm of `like` (sha256 unless it names sha384 or sha512). */
export function digestOf(bytes: Buffer, like?: string): string {
  const named = like?.split(':')[0];
  const algorithm = named === 'sha512' || named === 'sha384' ? named : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

function mediaTypeOf(contentType: string | undefined): string | null {
  if (!contentType) return null;
  return contentType.split(';')[0]!.trim().toLowerCase() || null;
}
