import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isImageConfig,
  MAX_CONFIG_BYTES,
  platformOfConfig,
} from '../../../functions/registry/image-config.ts';

const config = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('platformOfConfig', () => {
  it('reads os, architecture and variant from an image config', () => {
    expect(platformOfConfig(config({ os: 'linux', architecture: 'arm', variant: 'v7', rootfs: {} }))).toEqual(
      {
        os: 'linux',
        architecture: 'arm',
        variant: 'v7',
      },
    );
    expect(platformOfConfig(config({ os: 'windows', architecture: 'amd64' }))).toEqual({
      os: 'windows',
      architecture: 'amd64',
    });
  });

  it('returns null when the config does not name a platform', () => {
    expect(platformOfConfig(config({ architecture: 'amd64' }))).toBeNull();
    expect(platformOfConfig(config({ os: '', architecture: 'amd64' }))).toBeNull();
    expect(platformOfConfig(config(['linux', 'amd64']))).toBeNull();
    expect(platformOfConfig(Buffer.from('not json'))).toBeNull();
  });

  it('never throws on arbitrary bytes from a registry', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        platformOfConfig(Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        platformOfConfig(config(value));
      }),
    );
  });
});

describe('isImageConfig', () => {
  it('reads OCI and Docker image configs, not artifacts or oversized blobs', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(isImageConfig({ digest, size: 1500, mediaType: 'application/vnd.oci.image.config.v1+json' })).toBe(
      true,
    );
    expect(
      isImageConfig({ digest, size: 1500, mediaType: 'application/vnd.docker.container.image.v1+json' }),
    ).toBe(true);
    expect(isImageConfig({ digest, size: 300, mediaType: 'application/vnd.cncf.helm.config.v1+json' })).toBe(
      false,
    );
    expect(isImageConfig({ digest, size: 300 })).toBe(false);
    expect(
      isImageConfig({
        digest,
        size: MAX_CONFIG_BYTES + 1,
        mediaType: 'application/vnd.oci.image.config.v1+json',
      }),
    ).toBe(false);
  });
});
