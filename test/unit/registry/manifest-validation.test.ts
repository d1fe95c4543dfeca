/**
 * parseManifest refuses what docker refuses: a Content-Type docker has no parser for
 * (distribution's UnmarshalManifest: "unsupported manifest media type and no default available"),
 * a mediaType field that contradicts it (distribution manifest/ocischema/manifest.go: "if present,
 * mediaType in manifest should be ..."), and descriptors with invalid digests or sizes. Index
 * platform lists stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { InvalidDigestError, ProtocolError } from '../../../functions/registry/errors.ts';
import {
  type Descriptor,
  MAX_LISTED_PLATFORMS,
  MEDIA_TYPES,
  parseManifest,
  platformsOf,
} from '../../../functions/registry/manifest.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const parse = (json: unknown, contentType: string | null) =>
  parseManifest(Buffer.from(JSON.stringify(json)), contentType, 'https://r.example/v2/a/manifests/v1');
const image = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: DIGEST, size: 2 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 10 }],
  ...extra,
});

describe('parseManifest media types', () => {
  it.each([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest])('parses an image served as %s', (type) => {
    expect(parse(image({ mediaType: type }), type)).toMatchObject({ kind: 'image', mediaType: type });
  });

  it('parses an OCI manifest without a mediaType field by its Content-Type', () => {
    expect(parse(image(), MEDIA_TYPES.ociManifest)).toMatchObject({ kind: 'image' });
  });

  it('takes the body mediaType when the Content-Type is generic JSON or missing', () => {
    expect(parse(image({ mediaType: MEDIA_TYPES.ociManifest }), 'application/json').mediaType).toBe(
      MEDIA_TYPES.ociManifest,
    );
    expect(parse({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] }, null).kind).toBe(
      'index',
    );
  });

  it.each([
    'text/html',
    'application/octet-stream',
    'application/vnd.oci.artifact.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v3+json',
  ])('refuses the Content-Type %s', (type) => {
    expect(() => parse(image(), type)).toThrow(`unsupported manifest media type ${type}`);
  });

  it('refuses an unknown mediaType in the body when the header is generic', () => {
    expect(() => parse(image({ mediaType: 'application/vnd.example+json' }), 'application/json')).toThrow(
      'unsupported manifest media type application/vnd.example+json',
    );
  });

  it('refuses a body mediaType that contradicts the Content-Type, as distribution does', () => {
    expect(() => parse(image({ mediaType: MEDIA_TYPES.dockerManifest }), MEDIA_TYPES.ociManifest)).toThrow(
      'contradicts',
    );
  });

  it('refuses an index type without a manifests array', () => {
    expect(() => parse({ schemaVersion: 2 }, MEDIA_TYPES.ociIndex)).toThrow('no manifests array');
  });
});

describe('parseManifest descriptors', () => {
  it('refuses an index entry with a path in its digest, naming the entry', () => {
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        { digest: DIGEST, size: 1 },
        { digest: 'sha256:0/../../admin', size: 1 },
      ],
    };

    let error: unknown;
    try {
      parse(index, MEDIA_TYPES.ociIndex);
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(InvalidDigestError);
    expect((error as InvalidDigestError).evidence).toEqual([
      'digest: "sha256:0/../../admin"',
      'from: manifests[1] of GET https://r.example/v2/a/manifests/v1',
      'problem: does not match the OCI digest grammar algorithm:encoded',
    ]);
  });

  it.each([
    [{ config: { digest: 'md5:abc', size: 2 } }, 'config of GET'],
    [{ layers: [{ digest: DIGEST, size: -1 }] }, 'the size -1 is not a non-negative integer'],
    [{ layers: [{ digest: DIGEST, size: 1.5 }] }, 'the size 1.5'],
    [{ layers: [{ digest: DIGEST, size: '10' }] }, 'the size "10"'],
    [{ layers: [{ digest: DIGEST }] }, 'the size undefined'],
    [{ layers: [{ digest: DIGEST, size: 2 ** 60 }] }, 'not a non-negative integer'],
    [
      { layers: ['not a descriptor'] },
      'layers[0] of GET https://r.example/v2/a/manifests/v1: not a descriptor',
    ],
    [{ layers: { 0: 'x' } }, 'layers is not an array'],
    [{ layers: [{ digest: DIGEST, size: 1, mediaType: 7 }] }, 'mediaType is not a string'],
  ])('refuses the image manifest %j', (extra, message) => {
    expect(() => parse(image(extra), MEDIA_TYPES.ociManifest)).toThrow(ProtocolError);
    expect(() => parse(image(extra), MEDIA_TYPES.ociManifest)).toThrow(message);
  });
});

describe('platformsOf', () => {
  const entry = (architecture: string): Descriptor => ({
    digest: DIGEST,
    size: 1,
    platform: { os: 'linux', architecture },
  });

  it('lists each platform once, in index order', () => {
    expect(platformsOf([entry('amd64'), entry('arm64'), entry('amd64')])).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
  });

  it('lists up to MAX_LISTED_PLATFORMS platforms in full', () => {
    const all = Array.from({ length: MAX_LISTED_PLATFORMS }, (_, i) => entry(`a${i}`));

    expect(platformsOf(all)).toHaveLength(MAX_LISTED_PLATFORMS);
  });

  it('summarises the rest of an index of 20,000 entries in one entry', () => {
    const all = Array.from({ length: 20_000 }, (_, i) => entry(`a${i % 10_000}`));

    const listed = platformsOf(all);

    expect(listed).toHaveLength(MAX_LISTED_PLATFORMS + 1);
    expect(listed.at(-1)).toBe(`… and ${10_000 - MAX_LISTED_PLATFORMS} more (20000 index entries)`);
  });
});
