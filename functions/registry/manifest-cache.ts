/**
 * Manifests the probe has already read, by digest.
 *
 * Why: on Docker Hub every manifest GET counts against the pull rate limit, and a HEAD does not.
 * A manifest is content-addressed, so once its bytes were read and checked against its digest they
 * can never change: a warm Lambda (or a CLI probing several tags) needs to GET a manifest again
 * only when the tag's HEAD names a digest it has not seen. Probing an unchanged image then spends
 * no pulls at all, while the HEADs still prove the registry resolves the tag and serves the digest.
 *
 * Entries are keyed by registry and repository as well as digest, so that a manifest read from
 * one repository never vouches for another; the cache is bounded by entries and by bytes. An entry
 * is trusted for an hour, then read again: a HEAD proves the registry still resolves the digest, not
 * that its storage still serves the right bytes, so each image is fully pulled (and its bytes checked
 * against the digest) at least hourly, about six pulls per region in Docker Hub's six-hour window.
 */
import { getManifest, MANIFEST_ACCEPT, type Manifest, type ManifestHead } from './manifest.ts';
import type { RegistryClient } from './registry-client.ts';

/** A fleet of a few hundred targets, each an index and one or two platform manifests. */
const DEFAULT_MAX_ENTRIES = 1024;
/** Manifests are usually a few KiB; the cap keeps a pathological registry from growing the heap. */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/** How long a verified manifest stands in for a GET (see above). */
const DEFAULT_MAX_AGE_MS = 60 * 60 * 1000;

interface Entry {
  /** Registry and repository, for the per-repository count. */
  where: readonly [string, string];
  manifest: Manifest;
  bytes: number;
  verifiedAt: number;
}

export class ManifestCache {
  /** Insertion order is recency order: a hit is deleted and set again. */
  private readonly entries = new Map<string, Entry>();
  /** Entries per registry/repository, so a cold repository is known without a scan. */
  private readonly perRepository = new Map<string, number>();
  private totalBytes = 0;

  constructor(
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
    private readonly maxAgeMs = DEFAULT_MAX_AGE_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(registry: string, repository: string, digest: string): Manifest | undefined {
    const key = cacheKey(registry, repository, digest);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.verifiedAt >= this.maxAgeMs) {
      this.remove(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.manifest;
  }

  /** Keeps a manifest whose bytes were verified against `digest`. */
  set(registry: string, repository: string, digest: string, manifest: Manifest, bytes: number): void {
    if (bytes > this.maxBytes) return;
    const key = cacheKey(registry, repository, digest);
    this.remove(key);
    this.entries.set(key, { where: [registry, repository], manifest, bytes, verifiedAt: this.now() });
    this.count(registry, repository, 1);
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      this.remove(this.entries.keys().next().value!);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Whether any manifest of this repository is kept. When none is, a tag's HEAD cannot spare its
   * GET, so the probe GETs at once (one request fewer on a cold run, and the same one pull).
   */
  holdsAny(registry: string, repository: string): boolean {
    return (this.perRepository.get(`${registry}/${repository}`) ?? 0) > 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.count(entry.where[0], entry.where[1], -1);
    this.totalBytes -= entry.bytes;
  }

  private count(registry: string, repository: string, delta: number): void {
    const key = `${registry}/${repository}`;
    const n = (this.perRepository.get(key) ?? 0) + delta;
    if (n > 0) this.perRepository.set(key, n);
    else this.perRepository.delete(key);
  }
}

function cacheKey(registry: string, repository: string, digest: string): string {
  return `${registry}/${repository}@${digest}`;
}

/** Reads one repository's manifests, GETting only those the cache does not hold. */
export class CachedManifestReader {
  constructor(
    private readonly registry: RegistryClient,
    private readonly cache: ManifestCache,
    private readonly registryHost: string,
    private readonly repository: string,
  ) {}

  /** Whether the cache could spare a GET of this repository's manifests (see ManifestCache.holdsAny). */
  get warm(): boolean {
    return this.cache.holdsAny(this.registryHost, this.repository);
  }

  /**
   * The manifest a tag (or digest) reference resolved to, given its HEAD. A digest the cache holds
   * needs no GET: the HEAD already proved the registry resolves the reference to it.
   */
  async resolved(reference: string, head: ManifestHead): Promise<{ digest: string; manifest: Manifest }> {
    if (head.fetched) {
      this.keep(head.fetched.digest, head.fetched.manifest, head.fetched.bytes);
      return head.fetched;
    }
    const cached = this.cache.get(this.registryHost, this.repository, head.digest);
    if (cached) return { digest: head.digest, manifest: cached };
    // A tag may move between HEAD and GET; the GET is checked against its own declared digest.
    const fetched = await getManifest(this.registry, reference, 'manifest-get');
    this.keep(fetched.digest, fetched.manifest, fetched.bytes);
    return fetched;
  }

  /**
   * A manifest named by digest (an index entry). When cached it is still HEADed, so the probe keeps
   * proving that the registry serves it, without spending a pull. `size` is the index entry's,
   * which the bytes must match.
   */
  async byDigest(digest: string, size?: number): Promise<Manifest> {
    const cached = this.cache.get(this.registryHost, this.repository, digest);
    if (cached) {
      await this.registry.send(
        'platform-manifest',
        'HEAD',
        this.registry.repositoryUrl(`manifests/${digest}`),
        {
          accept: MANIFEST_ACCEPT,
        },
      );
      return cached;
    }
    const fetched = await getManifest(this.registry, digest, 'platform-manifest', digest, size);
    this.keep(digest, fetched.manifest, fetched.bytes);
    return fetched.manifest;
  }

  private keep(digest: string, manifest: Manifest, bytes: number): void {
    this.cache.set(this.registryHost, this.repository, digest, manifest, bytes);
  }
}
