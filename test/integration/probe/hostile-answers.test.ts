/**
 * A hostile or broken peer on loopback ends in a diagnosis, never a crash or a hang: malformed
 * HTTP (garbage, HTTP/0.9, bad chunking, NUL in headers, oversized headers, unsolicited upgrade),
 * compression bombs, endless and drip-fed answers, hostile digests, unknown media types, configs
 * that are not JSON, sizes that contradict descriptors, and an index too large to list. Each test
 * asserts the code AND the evidence that names what was wrong.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.ts';
import { buildMultiArchImage, buildSingleArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';
import { type RawHttpServer, type RawRequest, rawAnswer, startRawHttpServer } from '../harness/servers.ts';
import { probeCold, warmManifestCache } from './cold-probe.ts';
import { expectDiagnosis, expectHealthy } from './expectations.ts';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const sha256 = (bytes: string | Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** What the hostile registry answers for one request; null when the handler drives the socket. */
type Route = (request: RawRequest, socket: Socket) => string | Buffer | null;

/** GET /v2/ answers 200, the rest goes to the test's route. */
let route: Route = () => null;
let server: RawHttpServer;
const ref = () => `${server.host}/team/app:v1`;
/** With `warm`, as a process that probed the repository before: the tag is HEADed first. */
const probe = ({
  warm = false,
  ...options
}: {
  timeoutMs?: number;
  platforms?: string[];
  warm?: boolean;
} = {}): Promise<ProbeResult> =>
  probeCold(ref(), {
    plainHttp: true,
    timeoutMs: 4_000,
    requestTimeoutMs: 3_000,
    ...(warm ? { manifestCache: warmManifestCache(server.host, 'team/app') } : {}),
    ...options,
  });
const evidence = (result: ProbeResult) => result.diagnosis!.evidence.join('\n');

/** A manifest answer with its digest header, as the distribution registry gives it. */
function manifestAnswer(request: RawRequest, body: string, contentType: string): Buffer {
  return rawAnswer(
    200,
    { 'content-type': contentType, 'docker-content-digest': sha256(body) },
    body,
    request.method,
  );
}

beforeAll(async () => {
  server = await startRawHttpServer((request, socket) => {
    if (request.path === '/v2/') return rawAnswer(200, { 'docker-distribution-api-version': 'registry/2.0' });
    return route(request, socket);
  });
});

afterEach(() => {
  server.requests.length = 0;
  route = () => null;
});

afterAll(async () => {
  await server?.stop();
});

describe('malformed HTTP ends as PROTOCOL_ERROR naming the breach', () => {
  it.each([
    [
      'garbage (an SSH banner)',
      'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n',
      'does not start with an HTTP/1.x status line',
    ],
    [
      'an HTTP/0.9 answer (a body without a status line)',
      '<html><body>hello</body></html>',
      'does not start with an HTTP/1.x status line',
    ],
    [
      'a NUL in a header value',
      'HTTP/1.1 200 OK\r\nX-Trace: a\u0000b\r\nContent-Length: 0\r\n\r\n',
      'Invalid header value char',
    ],
    [
      'a NUL in a header name',
      'HTTP/1.1 200 OK\r\nX-Tr\u0000ace: ab\r\nContent-Length: 0\r\n\r\n',
      'Invalid header token',
    ],
    ['an invalid status code', 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n', 'Invalid status code'],
    [
      'headers over 16 KiB',
      `HTTP/1.1 200 OK\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\nContent-Length: 0\r\n\r\n`,
      'larger than the 16384-byte limit',
    ],
    [
      'an unsolicited protocol upgrade',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      'switched protocols (101 Upgrade)',
    ],
    [
      'an interim 100 Continue nobody asked for',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      'did not ask for',
    ],
    [
      'two contradicting Content-Length headers',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'does not match its Content-Length',
    ],
  ])('answering the manifest HEAD with %s', async (_name, bytes, named) => {
    route = () => bytes;

    const result = await probe({ warm: true });

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain(named);
    expect(evidence(result)).toContain('step: manifest-head');
    expect(result.diagnosis!.summary).toContain('not a valid HTTP answer');
  });

  it('keeps the first bytes received as evidence of what answered', async () => {
    route = () => 'SSH-2.0-OpenSSH_9.2p1\r\n';

    const result = await probe();

    expect(evidence(result)).toMatch(/received: "SSH-2\.0-OpenSSH/);
    expect(evidence(result)).toContain('undici: HTTPParserError (no code)');
  });

  it('ends as PROTOCOL_ERROR when the manifest body has invalid chunking', async () => {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    route = (request) =>
      request.method === 'HEAD'
        ? manifestAnswer(request, index, OCI_INDEX)
        : `HTTP/1.1 200 OK\r\nContent-Type: ${OCI_INDEX}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${index}\r\n0\r\n\r\n`;

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('Invalid character in chunk size');
    expect(evidence(result)).toContain('step: manifest-get');
  });
});

describe('oversized, endless and slow answers end in a diagnosis within the deadline', () => {
  it('stops a gzip bomb at the 4 MiB manifest cap with PROTOCOL_ERROR', async () => {
    // 256 MiB of zeros in about 250 KiB: the probe must inflate no more than its cap.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    route = (request) =>
      request.method === 'HEAD'
        ? manifestAnswer(request, index, OCI_INDEX)
        : rawAnswer(200, { 'content-type': OCI_INDEX, 'content-encoding': 'gzip' }, bomb);
    const heapBefore = process.memoryUsage().rss;
    const started = performance.now();

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('body cap: 4194304 bytes');
    expect(evidence(result)).toContain('gzip-encoded body inflates past the cap');
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(128 * 1024 * 1024);
  });

  it('ends as PROTOCOL_ERROR when a gzip-encoded body does not decompress', async () => {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    const corrupt = Buffer.concat([gzipSync(index).subarray(0, 12), Buffer.from('not deflate data at all')]);
    route = (request) =>
      request.method === 'HEAD'
        ? manifestAnswer(request, index, OCI_INDEX)
        : rawAnswer(200, { 'content-type': OCI_INDEX, 'content-encoding': 'gzip' }, corrupt);

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('the gzip-encoded body does not decompress');
  });

  it('refuses a body in a coding docker does not decode', async () => {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    route = (request) =>
      request.method === 'HEAD'
        ? manifestAnswer(request, index, OCI_INDEX)
        : rawAnswer(200, { 'content-type': OCI_INDEX, 'content-encoding': 'br' }, 'not really brotli');

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('content-encoding: br');
  });

  it('cuts an endless manifest body at the 4 MiB cap with PROTOCOL_ERROR', async () => {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    route = (request, socket) => {
      if (request.method === 'HEAD') return manifestAnswer(request, index, OCI_INDEX);
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${OCI_INDEX}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!socket.destroyed && socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) {}
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
      return null;
    };

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('body cap: 4194304 bytes');
  });

  it('ends as TIMEOUT within the deadline when the headers are drip-fed', async () => {
    route = (_request, socket) => {
      socket.write('HTTP/1.1 200 OK\r\n');
      const timer = setInterval(
        () => (socket.destroyed ? clearInterval(timer) : socket.write('X: y\r\n')),
        100,
      );
      socket.on('close', () => clearInterval(timer));
      return null;
    };
    const started = performance.now();

    const result = await probe({ timeoutMs: 1_500, warm: true });

    expectDiagnosis(result, 'TIMEOUT');
    expect(evidence(result)).toContain('step: manifest-head');
    expect(performance.now() - started).toBeLessThan(1_500 + 750);
  });
});

describe('hostile digests never reach a URL', () => {
  it('refuses an index entry whose digest walks out of the repository, before requesting it', async () => {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: 'sha256:0/../../admin',
          size: 10,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });
    route = (request) => manifestAnswer(request, index, OCI_INDEX);

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('digest: "sha256:0/../../admin"');
    expect(evidence(result)).toContain('from: manifests[0] of GET');
    expect(evidence(result)).toContain('problem: does not match the OCI digest grammar');
    // A cold probe GETs the tag at once: no HEAD could spare the GET.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/',
      'GET /v2/team/app/manifests/v1',
    ]);
  });

  it.each([
    ['md5:0123456789abcdef0123456789abcdef', 'the algorithm md5 is not one docker verifies'],
    [`sha256:${'A'.repeat(64)}`, 'lower-case hex'],
    [`sha256:${'a'.repeat(63)}`, 'this one is 63 characters'],
    [`sha512:${'a'.repeat(64)}`, 'a sha512 digest is 128 lower-case hex characters'],
    ['sha256:%2e%2e%2fadmin', 'does not match the OCI digest grammar'],
  ])('refuses the Docker-Content-Digest %s of the manifest HEAD', async (digest, named) => {
    route = (request) =>
      rawAnswer(200, { 'content-type': OCI_INDEX, 'docker-content-digest': digest }, '', request.method);

    const result = await probe({ warm: true });

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain(named);
    expect(evidence(result)).toContain('from: the Docker-Content-Digest header of HEAD');
    expect(server.requests).toHaveLength(2);
  });
});

describe('what docker refuses, the probe refuses', () => {
  it('refuses an unknown manifest media type', async () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.artifact.manifest.v1+json',
    });
    route = (request) => manifestAnswer(request, body, 'application/vnd.oci.artifact.manifest.v1+json');

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(result.diagnosis!.summary).toContain(
      'unsupported manifest media type application/vnd.oci.artifact.manifest.v1+json',
    );
    expect(evidence(result)).toContain('content-type: application/vnd.oci.artifact.manifest.v1+json');
  });

  it('refuses a manifest whose mediaType contradicts its Content-Type', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    route = (request) => manifestAnswer(request, body, OCI_MANIFEST);

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain(`mediaType in the body: ${OCI_INDEX}`);
    expect(result.diagnosis!.summary).toContain('contradicts');
  });

  it('refuses an image config that is not JSON', async () => {
    const config = 'this is not json';
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: [],
    });
    route = (request) =>
      request.path.includes('/blobs/')
        ? rawAnswer(200, { 'content-type': 'application/octet-stream' }, config, request.method)
        : manifestAnswer(request, manifest, OCI_MANIFEST);

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(result.diagnosis!.summary).toContain(`the image config ${sha256(config)} is not JSON`);
    expect(evidence(result)).toContain('body starts: "this is not json"');
  });

  it('refuses a blob whose size contradicts its descriptor', async () => {
    const config = JSON.stringify({
      os: 'linux',
      architecture: 'amd64',
      rootfs: { type: 'layers', diff_ids: [] },
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length + 10 },
      layers: [],
    });
    route = (request) =>
      request.path.includes('/blobs/')
        ? rawAnswer(200, { 'content-type': 'application/octet-stream' }, config, request.method)
        : manifestAnswer(request, manifest, OCI_MANIFEST);

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain(`descriptor size: ${config.length + 10}`);
    expect(evidence(result)).toContain(`bytes served: ${config.length}`);
  });

  it('refuses a platform manifest whose size contradicts its index entry', async () => {
    const platform = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256('{}'), size: 2 },
      layers: [],
    });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: sha256(platform),
          size: platform.length - 1,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });
    route = (request) =>
      request.path.endsWith(sha256(platform))
        ? manifestAnswer(request, platform, OCI_MANIFEST)
        : manifestAnswer(request, index, OCI_INDEX);

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain(`descriptor size: ${platform.length - 1}`);
  });

  it('summarises an index of 20,000 platforms instead of listing them', async () => {
    const manifests = Array.from({ length: 20_000 }, (_, i) => ({
      mediaType: OCI_MANIFEST,
      digest: sha256(String(i)),
      size: 100,
      platform: { os: 'linux', architecture: `arch${i}` },
    }));
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
    route = (request) => manifestAnswer(request, index, OCI_INDEX);

    const result = await probe();

    expectDiagnosis(result, 'PLATFORM_MISSING');
    expect(result.platforms).toHaveLength(33);
    expect(result.platforms.at(-1)).toBe('… and 19968 more (20000 index entries)');
    expect(JSON.stringify(result.diagnosis).length).toBeLessThan(8 * 1024);
    expect(evidence(result)).toContain('19968 more');
  });
});

describe.runIf(registryTestsEnabled())('gzip-encoded answers from the real registry', () => {
  const multi = buildMultiArchImage();
  const single = buildSingleArchImage();
  let registry: RunningRegistry;
  let proxy: FaultProxy;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    await pushImage(registry, 'team/multi', 'v1', multi);
    await pushImage(registry, 'team/single', 'v1', single);
    proxy = await startFaultProxy({ target: registry.url });
    proxy.setFaults({ gzipBodies: true });
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('decodes gzip as docker does and reports a multi-arch image as healthy', async () => {
    const result = await probeCold(`${proxy.host}/team/multi:v1`, { plainHttp: true, verifyBlob: true });

    expectHealthy(result);
    expect(result.digest).toBe(multi.digest);
    expect(result.verifiedBlob).toBeDefined();
  });

  it('decodes a gzip-encoded image config and reads its platform', async () => {
    const result = await probeCold(`${proxy.host}/team/single:v1`, { plainHttp: true });

    expectHealthy(result);
    expect(result.platforms).toEqual(['linux/amd64']);
  });
});
