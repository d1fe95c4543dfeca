import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../functions/registry/manifest.ts';
import { ManifestCache } from '../../../functions/registry/manifest-cache.ts';

const manifest = (n: number): Manifest => ({
  kind: 'image',
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { digest: `sha256:${String(n).padStart(64, '0')}`, size: n },
  layers: [],
});

describe('ManifestCache', () => {
  it('returns a manifest only for the registry, repository and digest it was read from', () => {
    const cache = new ManifestCache();
    cache.set('r.example', 'team/app', 'sha256:a', manifest(1), 100);

    expect(cache.get('r.example', 'team/app', 'sha256:a')).toEqual(manifest(1));
    expect(cache.get('r.example', 'team/other', 'sha256:a')).toBeUndefined();
    expect(cache.get('mirror.example', 'team/app', 'sha256:a')).toBeUndefined();
    expect(cache.get('r.example', 'team/app', 'sha256:b')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond its entry limit', () => {
    const cache = new ManifestCache(2, 1_000_000);
    cache.set('r', 'app', 'sha256:1', manifest(1), 10);
    cache.set('r', 'app', 'sha256:2', manifest(2), 10);
    cache.get('r', 'app', 'sha256:1');
    cache.set('r', 'app', 'sha256:3', manifest(3), 10);

    expect(cache.size).toBe(2);
    expect(cache.get('r', 'app', 'sha256:1')).toBeDefined();
    expect(cache.get('r', 'app', 'sha256:2')).toBeUndefined();
  });

  it('keeps its bytes under the cap and refuses a manifest larger than the cap', () => {
    const cache = new ManifestCache(100, 250);
    cache.set('r', 'app', 'sha256:1', manifest(1), 100);
    cache.set('r', 'app', 'sha256:2', manifest(2), 100);
    cache.set('r', 'app', 'sha256:3', manifest(3), 100);
    cache.set('r', 'app', 'sha256:huge', manifest(4), 251);

    expect(cache.get('r', 'app', 'sha256:1')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.get('r', 'app', 'sha256:huge')).toBeUndefined();
  });

  it('reads a manifest again once it is an hour old, so its bytes are re-checked against the digest', () => {
    let now = 0;
    const cache = new ManifestCache(100, 1_000_000, 60 * 60 * 1000, () => now);
    cache.set('r', 'app', 'sha256:1', manifest(1), 10);

    now = 60 * 60 * 1000 - 1;
    expect(cache.get('r', 'app', 'sha256:1')).toBeDefined();
    now = 60 * 60 * 1000;
    expect(cache.get('r', 'app', 'sha256:1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('says whether it holds any manifest of a repository, counting evictions and expiry', () => {
    let now = 0;
    const cache = new ManifestCache(2, 1_000_000, 60_000, () => now);
    expect(cache.holdsAny('r', 'app')).toBe(false);
    cache.set('r', 'app', 'sha256:1', manifest(1), 10);
    cache.set('r', 'app', 'sha256:1', manifest(1), 10);
    expect(cache.holdsAny('r', 'app')).toBe(true);
    expect(cache.holdsAny('r', 'other')).toBe(false);
    expect(cache.holdsAny('mirror', 'app')).toBe(false);

    cache.set('r', 'x', 'sha256:2', manifest(2), 10);
    cache.set('r', 'y', 'sha256:3', manifest(3), 10);
    expect(cache.holdsAny('r', 'app')).toBe(false);

    now = 60_000;
    cache.get('r', 'y', 'sha256:3');
    expect(cache.holdsAny('r', 'y')).toBe(false);
    expect(cache.holdsAny('r', 'x')).toBe(true);
  });
});
