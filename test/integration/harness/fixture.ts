/**
 * Images built by hand and pushed with raw HTTP, so the suite needs neither docker nor internet:
 * an index (or Docker manifest list) -> one manifest per platform -> a config blob and one small
 * gzipped tar layer each, all content-addressed.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, fetch, type Response } from 'undici';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type ImageFormat = 'oci' | 'docker';

/** A content-addressed document or blob. */
export interface Content {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface PlatformImage {
  /** os/arch[/variant] */
  platform: string;
  manifest: Content;
  config: Content;
  layers: Content[];
}

export interface ImageFixture {
  format: ImageFormat;
  /** The index (multi-arch) or null (single-arch). */
  index: Content | null;
  images: PlatformImage[];
  /** What the tag resolves to: the index digest, or the only manifest's digest. */
  digest: string;
  mediaType: string;
  /** The platforms in the image, in order. */
  platforms: string[];
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A multi-arch image. @param platforms default linux/amd64 + linux/arm64 */
export function buildMultiArchImage(
  options: { platforms?: string[]; format?: ImageFormat; layerBytes?: number } = {},
): ImageFixture {
  const format = options.format ?? 'oci';
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64'];
  const images = platforms.map((platform) =>
    buildPlatformImage(platform, format, options.layerBytes ?? 2048),
  );
  const types = mediaTypes(format);
  const index = content(types.index, {
    schemaVersion: 2,
    mediaType: types.index,
    manifests: images.map((image) => ({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.bytes.length,
      platform: platformObject(image.platform),
    })),
  });
  return { format, index, images, digest: index.digest, mediaType: index.mediaType, platforms };
}

/** A single-platform image: the tag points straight at a manifest. */
export function buildSingleArchImage(
  options: { platform?: string; format?: ImageFormat; layerBytes?: number } = {},
): ImageFixture {
  const format = options.format ?? 'oci';
  const image = buildPlatformImage(options.platform ?? 'linux/amd64', format, options.layerBytes ?? 2048);
  return {
    format,
    index: null,
    images: [image],
    digest: image.manifest.digest,
    mediaType: image.manifest.mediaType,
    platforms: [image.platform],
  };
}

/** Where to push, and as whom. `caPem` is needed for the suite's TLS registries. */
export interface PushTarget {
  url: string;
  caPem?: string | null;
  /** Sent as Basic to the registry, or to its token realm in token mode. */
  credentials?: { username: string; password: string };
}

/**
 * Pushes every blob, every platform manifest (by digest) and then the tag, answering the
 * registry's 401 challenge the way docker does (Basic, or a Bearer token with pull,push scope).
 */
export async function pushImage(
  target: PushTarget,
  repository: string,
  tag: string,
  image: ImageFixture,
): Promise<void> {
  const client = new PushClient(target, repository);
  try {
    for (const platformImage of image.images) {
      for (const blob of [platformImage.config, ...platformImage.layers]) await client.pushBlob(blob);
      await client.putManifest(platformImage.manifest.digest, platformImage.manifest);
    }
    if (image.index) await client.putManifest(tag, image.index);
    else await client.putManifest(tag, image.images[0]!.manifest);
  } finally {
    await client.close();
  }
}

/**
 * Overwrites a blob's bytes in the registry's filesystem storage with different bytes of the same
 * length, so the registry serves content that does not match its digest (a corrupt store or a
 * tampering mirror). Returns a function that puts the original bytes back.
 */
export async function corruptBlob(storageDir: string, blob: Content): Promise<() => Promise<void>> {
  const path = blobPath(storageDir, blob.digest);
  const corrupt = Buffer.from(blob.bytes.map((byte) => byte ^ 0xff));
  await writeFile(path, corrupt);
  return () => writeFile(path, blob.bytes);
}

/** The file the filesystem storage driver keeps a blob in. */
export function blobPath(storageDir: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** The smallest layer of all platforms: the one a probe with verifyBlob downloads. */
export function smallestLayer(image: ImageFixture): Content {
  const layers = image.images.flatMap((i) => i.layers);
  return layers.reduce((a, b) => (b.bytes.length < a.bytes.length ? b : a));
}

function buildPlatformImage(platform: string, format: ImageFormat, layerBytes: number): PlatformImage {
  const types = mediaTypes(format);
  const { os, architecture, variant } = platformObject(platform);
  const tar = tarWithOneFile(`hello-${platform.replaceAll('/', '-')}.txt`, filler(platform, layerBytes));
  const layer: Content = { ...contentOf(types.layer, gzipSync(tar, { level: 9 })) };
  const config = content(types.config, {
    architecture,
    os,
    ...(variant ? { variant } : {}),
    config: { Cmd: ['/bin/true'] },
    rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
    history: [{ created_by: `registry-canary fixture for ${platform}` }],
  });
  const manifest = content(types.manifest, {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.bytes.length },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.bytes.length }],
  });
  return { platform, manifest, config, layers: [layer] };
}

function mediaTypes(format: ImageFormat) {
  return format === 'oci'
    ? {
        index: MEDIA_TYPES.ociIndex,
        manifest: MEDIA_TYPES.ociManifest,
        config: MEDIA_TYPES.ociConfig,
        layer: MEDIA_TYPES.ociLayer,
      }
    : {
        index: MEDIA_TYPES.dockerList,
        manifest: MEDIA_TYPES.dockerManifest,
        config: MEDIA_TYPES.dockerConfig,
        layer: MEDIA_TYPES.dockerLayer,
      };
}

function platformObject(platform: string): { os: string; architecture: string; variant?: string } {
  const [os = '', architecture = '', variant] = platform.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

function content(mediaType: string, document: unknown): Content {
  return contentOf(mediaType, Buffer.from(JSON.stringify(document)));
}

function contentOf(mediaType: string, bytes: Buffer): Content {
  return { digest: sha256Digest(bytes), mediaType, bytes };
}

/** Deterministic, poorly compressible bytes, so each platform's layer differs and has a real size. */
function filler(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** A ustar archive with one regular file: 512-byte header, the data padded to 512, two zero blocks. */
function tarWithOneFile(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number): void => {
    header.write(value, offset, length, 'ascii');
  };
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(data.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field('        ', 148, 8); // checksum is computed with this field as spaces
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/** Raw pushes, with the challenge answered once and the resulting Authorization reused. */
class PushClient {
  private readonly agent: Agent;
  private authorization: string | null = null;

  constructor(
    private readonly target: PushTarget,
    private readonly repository: string,
  ) {
    this.agent = new Agent({ connect: target.caPem ? { ca: target.caPem } : {} });
  }

  async pushBlob(blob: Content): Promise<void> {
    const start = await this.send('POST', `/v2/${this.repository}/blobs/uploads/`);
    await expectStatus(start, 202, `start upload of ${blob.digest}`);
    const location = new URL(start.headers.get('location') ?? '', this.target.url);
    location.searchParams.set('digest', blob.digest);
    const put = await this.send('PUT', location.toString(), blob.bytes, 'application/octet-stream');
    await expectStatus(put, 201, `upload ${blob.digest}`);
  }

  async putManifest(reference: string, manifest: Content): Promise<void> {
    const put = await this.send(
      'PUT',
      `/v2/${this.repository}/manifests/${reference}`,
      manifest.bytes,
      manifest.mediaType,
    );
    await expectStatus(put, 201, `put manifest ${reference}`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async send(
    method: string,
    pathOrUrl: string,
    body?: Buffer,
    contentType?: string,
  ): Promise<Response> {
    const url = new URL(pathOrUrl, this.target.url).toString();
    const attempt = (): Promise<Response> => {
      const headers: Record<string, string> = {};
      if (this.authorization) headers['authorization'] = this.authorization;
      if (contentType) headers['content-type'] = contentType;
      return fetch(url, { method, headers, body, dispatcher: this.agent });
    };
    const response = await attempt();
    if (response.status !== 401 || this.authorization !== null) return response;
    await response.arrayBuffer();
    this.authorization = await this.answerChallenge(response.headers.get('www-authenticate') ?? '');
    return attempt();
  }

  private async answerChallenge(challenge: string): Promise<string> {
    const credentials = this.target.credentials;
    if (!credentials)
      throw new Error(`push to ${this.target.url} needs credentials (challenge: ${challenge})`);
    const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    if (/^basic\b/i.test(challenge)) return basic;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!/^bearer\b/i.test(challenge) || !params['realm'])
      throw new Error(`unexpected challenge: ${challenge}`);
    const realm = new URL(params['realm']);
    if (params['service']) realm.searchParams.set('service', params['service']);
    realm.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const reply = await fetch(realm, { headers: { authorization: basic }, dispatcher: this.agent });
    const body = JSON.parse(await expectStatus(reply, 200, 'token for push')) as {
      token?: string;
      access_token?: string;
    };
    return `Bearer ${body.token ?? body.access_token}`;
  }
}

/** The body, once the status is the expected one. */
async function expectStatus(response: Response, expected: number, what: string): Promise<string> {
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`${what}: expected HTTP ${expected}, got ${response.status}: ${text.slice(0, 500)}`);
  }
  return text;
}
