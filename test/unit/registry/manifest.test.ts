import { describe, expect, it } from 'vitest';
import { PlatformMissingError, ProtocolError } from '../../../functions/registry/errors.ts';
import {
  type Descriptor,
  parseManifest,
  platformsOf,
  selectPlatforms,
} from '../../../functions/registry/manifest.ts';

const d = (os: string, architecture: string, variant?: string): Descriptor => ({
  digest: `sha256:${os}${architecture}${variant ?? ''}`,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});
const index = [
  d('linux', 'amd64'),
  d('linux', 'arm64', 'v8'),
  d('linux', 'arm', 'v7'),
  d('unknown', 'unknown'),
];

describe('platforms', () => {
  it('lists platforms without attestation manifests', () => {
    expect(platformsOf(index)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
  });

  it('matches os/arch to any variant and arm64 to v8', () => {
    expect(selectPlatforms(index, ['linux/arm64', 'linux/arm64/v8', 'linux/arm'])).toEqual([
      index[1],
      index[1],
      index[2],
    ]);
  });

  it('lists what exists when a platform is missing', () => {
    expect(() => selectPlatforms(index, ['linux/arm/v6', 'linux/amd64'])).toThrow(PlatformMissingError);
    try {
      selectPlatforms(index, ['linux/s390x']);
    } catch (error) {
      expect((error as PlatformMissingError).available).toEqual([
        'linux/amd64',
        'linux/arm64/v8',
        'linux/arm/v7',
      ]);
    }
  });
});

describe('parseManifest', () => {
  it('refuses schema1 and bodies that are not manifests', () => {
    expect(() => parseManifest(Buffer.from('{"schemaVersion":1}'), null, 'u')).toThrow('schema1');
    expect(() => parseManifest(Buffer.from('<html>'), 'text/html', 'u')).toThrow(ProtocolError);
    expect(() => parseManifest(Buffer.from('{"schemaVersion":2}'), null, 'u')).toThrow('neither an index');
  });
});
