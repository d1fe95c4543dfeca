/**
 * The harness itself, checked against the real registry with plain HTTP (undici), independent of
 * the probe engine: if these fail, every probe test built on the harness would be meaningless.
 */
import { createHash } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates, type TestCertificates } from './certs.ts';
import {
  DOCKER_HUB_LOW_RATE_LIMIT,
  startBlobStore,
  startFaultProxy,
  tooManyRequests,
} from './fault-proxy.ts';
import { buildMultiArchImage, corruptBlob, MEDIA_TYPES, pushImage, sha256Digest } from './fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from './registry.ts';
import { closedPort, startSilentServer } from './servers.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';

const ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');
const PASSWORD = `pw-${crypto.randomUUID()}`;
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe.runIf(registryTestsEnabled())('test harness', () => {
  const image = buildMultiArchImage();
  let certificates: TestCertificates;
  let plain: RunningRegistry;
  let tlsBasic: RunningRegistry;
  let tokenServer: TokenServer;
  let token: RunningRegistry;
  let trusting: Agent;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    tokenServer = await startTokenServer({ users: { pusher: PASSWORD } });
    [plain, tlsBasic, token] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'tls-basic', users: { AWS: PASSWORD }, certificates }),
      startRegistry({ mode: 'token', tokenAuthority: tokenServer }),
    ]);
    trusting = new Agent({ connect: { ca: certificates.ca.certPem } });
    await Promise.all([
      pushImage(plain, 'team/app', 'v1', image),
      pushImage(
        { ...tlsBasic, credentials: { username: 'AWS', password: PASSWORD } },
        'team/app',
        'v1',
        image,
      ),
      pushImage(
        { ...token, credentials: { username: 'pusher', password: PASSWORD } },
        'team/app',
        'v1',
        image,
      ),
    ]);
  });

  afterAll(async () => {
    await Promise.all([
      plain?.stop(),
      tlsBasic?.stop(),
      token?.stop(),
      tokenServer?.stop(),
      trusting?.close(),
      certificates?.remove(),
    ]);
  });

  it('serves the pushed multi-arch index by tag with its digest over plain HTTP', async () => {
    const response = await fetch(`${plain.url}/v2/team/app/manifests/v1`, { headers: { accept: ACCEPT } });
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(image.digest);
    expect(sha256Digest(body)).toBe(image.digest);
    expect(
      JSON.parse(body.toString()).manifests.map(
        (m: { platform: { architecture: string } }) => m.platform.architecture,
      ),
    ).toEqual(['amd64', 'arm64']);
  });

  it('builds each layer as a gzipped tar whose config diff_id matches', async () => {
    const { gunzipSync } = await import('node:zlib');
    for (const platformImage of image.images) {
      const tar = gunzipSync(platformImage.layers[0]!.bytes);
      const config = JSON.parse(platformImage.config.bytes.toString());
      expect(`sha256:${createHash('sha256').update(tar).digest('hex')}`).toBe(config.rootfs.diff_ids[0]);
      expect(tar.subarray(257, 262).toString()).toBe('ustar');
    }
  });

  it('asks for Basic credentials over TLS and accepts the htpasswd user', async () => {
    const anonymous = await fetch(`${tlsBasic.url}/v2/`, { dispatcher: trusting });
    const authorised = await fetch(`${tlsBasic.url}/v2/team/app/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: ACCEPT, authorization: basic('AWS', PASSWORD) },
      dispatcher: trusting,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(authorised.status).toBe(200);
    expect(authorised.headers.get('docker-content-digest')).toBe(image.digest);
  });

  it('issues an anonymous pull token the registry accepts in token mode', async () => {
    const challenge = await fetch(`${token.url}/v2/`);
    const reply = await fetch(
      `${tokenServer.realm}?service=${tokenServer.service}&scope=repository:team/app:pull`,
    );
    const { token: jwt, access_token, expires_in } = (await reply.json()) as Record<string, unknown>;
    const manifest = await fetch(`${token.url}/v2/team/app/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: ACCEPT, authorization: `Bearer ${jwt}` },
    });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toContain(`realm="${tokenServer.realm}"`);
    expect(access_token).toBe(jwt);
    expect(expires_in).toBe(300);
    expect(manifest.status).toBe(200);
    expect(tokenServer.requests.at(-1)).toMatchObject({
      scopes: ['repository:team/app:pull'],
      username: null,
      status: 200,
    });
  });

  it('refuses a token signed by another key with invalid_token', async () => {
    const other = await startTokenServer();
    try {
      const reply = await fetch(
        `${other.realm}?service=${tokenServer.service}&scope=repository:team/app:pull`,
      );
      const { token: jwt } = (await reply.json()) as { token: string };
      const manifest = await fetch(`${token.url}/v2/team/app/manifests/v1`, {
        method: 'HEAD',
        headers: { accept: ACCEPT, authorization: `Bearer ${jwt}` },
      });
      expect(manifest.status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('serves bytes that do not match the digest after a blob is corrupted, and the original after restore', async () => {
    const layer = image.images[0]!.layers[0]!;
    const url = `${plain.url}/v2/team/app/blobs/${layer.digest}`;
    const restore = await corruptBlob(plain.storageDir, layer);
    const corrupted = Buffer.from(await (await fetch(url)).arrayBuffer());
    await restore();
    const restored = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(corrupted.length).toBe(layer.bytes.length);
    expect(sha256Digest(corrupted)).not.toBe(layer.digest);
    expect(sha256Digest(restored)).toBe(layer.digest);
  });

  it('injects a Docker Hub 429 and rate-limit headers through the fault proxy', async () => {
    const proxy = await startFaultProxy({ target: plain.url });
    try {
      proxy.setFaults({ match: /\/manifests\//, status: tooManyRequests(60) });
      const limited = await fetch(`${proxy.url}/v2/team/app/manifests/v1`, { headers: { accept: ACCEPT } });
      const ping = await fetch(`${proxy.url}/v2/`);
      proxy.setFaults({ addHeaders: DOCKER_HUB_LOW_RATE_LIMIT });
      const low = await fetch(`${proxy.url}/v2/team/app/manifests/v1`, {
        method: 'HEAD',
        headers: { accept: ACCEPT },
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('60');
      expect(await limited.text()).toContain('TOOMANYREQUESTS');
      expect(ping.status).toBe(200);
      expect(low.status).toBe(200);
      expect(low.headers.get('ratelimit-remaining')).toBe('5;w=21600');
      expect(low.headers.get('docker-content-digest')).toBe(image.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('redirects blob requests to a store on another host name that serves the blob and records headers', async () => {
    const store = await startBlobStore(plain.storageDir);
    const proxy = await startFaultProxy({ target: plain.url });
    try {
      const layer = image.images[1]!.layers[0]!;
      proxy.setFaults({ redirectBlobsTo: store.url });
      const redirect = await fetch(`${proxy.url}/v2/team/app/blobs/${layer.digest}`, { redirect: 'manual' });
      const location = redirect.headers.get('location') ?? '';
      const blob = Buffer.from(await (await fetch(location)).arrayBuffer());
      expect(redirect.status).toBe(307);
      expect(new URL(location).hostname).toBe('localhost');
      expect(sha256Digest(blob)).toBe(layer.digest);
      expect(store.requests).toHaveLength(1);
    } finally {
      await Promise.all([proxy.stop(), store.stop()]);
    }
  });

  it('provides a refused port and a server that never answers', async () => {
    const port = await closedPort();
    const silent = await startSilentServer();
    try {
      const refused = await fetch(`http://127.0.0.1:${port}/v2/`).catch((error: Error) => error);
      const hung = await fetch(`${silent.url}/v2/`, { signal: AbortSignal.timeout(300) }).catch(
        (error: Error) => error,
      );
      expect((refused as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
      expect((hung as Error).name).toBe('TimeoutError');
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.stop();
    }
  });
});
