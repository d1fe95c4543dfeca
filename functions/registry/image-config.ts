/**
 * The platform of a single-platform image, read from its config blob.
 *
 * Why: a tag that points straight at one manifest (no index) has no platform list to check, yet
 * an arm64 node pulling an amd64-only image pulls it "successfully" and then fails with
 * `exec format error`. The config blob (a few KiB) names the image's os and architecture; reading
 * it costs no Docker Hub pull, since only manifest GETs count.
 */
import { getBlob } from './blob.ts';
import { ProtocolError } from './errors.ts';
import type { Descriptor } from './manifest.ts';
import type { RegistryClient } from './registry-client.ts';

/** A config larger than this is not an image config worth reading for its platform. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const IMAGE_CONFIG_TYPES = new Set<string>([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

/** Whether a config descriptor is an image config (not a Helm chart, signature or other artifact). */
export function isImageConfig(config: Descriptor): boolean {
  return (
    config.mediaType !== undefined &&
    IMAGE_CONFIG_TYPES.has(config.mediaType) &&
    config.size <= MAX_CONFIG_BYTES
  );
}

/** The platform an image config declares, e.g. `{ os: 'linux', architecture: 'arm64', variant: 'v8' }`. */
export function platformOfConfig(bytes: Buffer): NonNullable<Descriptor['platform']> | null {
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof config !== 'object' || config === null) return null;
  const { os, architecture, variant } = config as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string' || !os || !architecture) return null;
  return { os, architecture, ...(typeof variant === 'string' && variant ? { variant } : {}) };
}

/** GETs and verifies an image config blob (redirects by hand) and returns the platform it names. */
export async function readImagePlatform(
  registry: RegistryClient,
  config: Descriptor,
): Promise<NonNullable<Descriptor['platform']> | null> {
  const { bytes } = await getBlob(registry, config.digest, config.size, 'config-get');
  // docker unmarshals the config and fails the pull when it cannot; so does the probe.
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new ProtocolError(
      `the image config ${config.digest} is not JSON; docker cannot read an image from it`,
      configEvidence(config, bytes),
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError(
      `the image config ${config.digest} is JSON but not an object; docker cannot read an image from it`,
      configEvidence(config, bytes),
    );
  }
  return platformOfConfig(bytes);
}

function configEvidence(config: Descriptor, bytes: Buffer): string[] {
  return [
    `config: ${config.digest}`,
    `mediaType: ${config.mediaType ?? '(none)'}`,
    `body starts: ${JSON.stringify(bytes.subarray(0, 60).toString('utf8'))}`,
  ];
}
