/**
 * A body the server ends early (a close after the headers, before the Content-Length bytes or in
 * the middle of a chunked body) is a malformed answer, PROTOCOL_ERROR with the bytes received and
 * what was announced, as docker reports "unexpected EOF" for it; a connection reset, or a close
 * before any answer, is still CONNECTION_RESET. A raw server on 127.0.0.1 writes the bytes; undici
 * 7 reports the cases differently with and without `Connection: close` (http.ts cutShortProblem).
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../functions/probe/result.ts';
import { type RawHttpServer, type RawRequest, rawAnswer, startRawHttpServer } from '../harness/servers.ts';
import { probeCold } from './cold-probe.ts';
import { expectDiagnosis } from './expectations.ts';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;

type Route = (request: RawRequest, socket: Socket) => string | Buffer | null;
let route: Route = () => null;
let server: RawHttpServer;
const probe = (): Promise<ProbeResult> =>
  probeCold(`${server.host}/team/app:v1`, { plainHttp: true, timeoutMs: 4_000, requestTimeoutMs: 3_000 });
const evidence = (result: ProbeResult) => result.diagnosis!.evidence;

/** The HEAD answers whole; the GET gets `get`. */
const manifestGet =
  (get: Route): Route =>
  (request, socket) =>
    request.method === 'HEAD'
      ? rawAnswer(200, { 'content-type': OCI_INDEX, 'docker-content-digest': digest }, index, 'HEAD')
      : get(request, socket);

beforeAll(async () => {
  server = await startRawHttpServer((request, socket) => {
    if (request.path === '/v2/') return rawAnswer(200, { 'docker-distribution-api-version': 'registry/2.0' });
    return route(request, socket);
  });
});

afterAll(async () => {
  await server?.stop();
});

const head = (extra: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: ${OCI_INDEX}\r\nDocker-Content-Digest: ${digest}\r\n${extra}`;

describe('a body cut short is PROTOCOL_ERROR with what came and what was announced', () => {
  it.each([
    ['a keep-alive answer (undici: other side closed)', ''],
    ['a Connection: close answer (undici: content-length mismatch)', 'Connection: close\r\n'],
  ])('Content-Length, then a close after 10 bytes: %s', async (_name, connection) => {
    route = manifestGet(
      () => `${head(`${connection}Content-Length: ${index.length}\r\n\r\n`)}${index.slice(0, 10)}`,
    );

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('step: manifest-get');
    expect(evidence(result)).toContain('received: 10 bytes of the body');
    expect(evidence(result)).toContain(`announced: content-length: ${index.length}`);
    expect(result.diagnosis!.summary).toContain(
      `the server closed the connection after 10 of the ${index.length} bytes its Content-Length announced`,
    );
  });

  it.each([
    ['a keep-alive answer (undici: other side closed)', ''],
    ['a Connection: close answer (llhttp: Invalid EOF state)', 'Connection: close\r\n'],
  ])('a chunked body closed mid-chunk: %s', async (_name, connection) => {
    route = manifestGet(
      () => `${head(`${connection}Transfer-Encoding: chunked\r\n\r\n`)}40\r\n${index.slice(0, 12)}`,
    );

    const result = await probe();

    expectDiagnosis(result, 'PROTOCOL_ERROR');
    expect(evidence(result)).toContain('received: 12 bytes of the body');
    expect(evidence(result)).toContain('announced: transfer-encoding: chunked');
    expect(result.diagnosis!.summary).toContain('in the middle of a chunked body, after 12 bytes');
  });
});

describe('a reset, or a close before any answer, stays CONNECTION_RESET', () => {
  it('a reset before any answer', async () => {
    route = manifestGet((_request, socket) => {
      socket.resetAndDestroy();
      return null;
    });

    const result = await probe();

    expectDiagnosis(result, 'CONNECTION_RESET');
    expect(evidence(result)).toContain('errno: ECONNRESET');
  });

  it('a close before any answer', async () => {
    route = manifestGet(() => '');

    const result = await probe();

    expectDiagnosis(result, 'CONNECTION_RESET');
    expect(evidence(result)).toContain('errno: UND_ERR_SOCKET');
  });

  it('a reset in the middle of the body', async () => {
    route = manifestGet((_request, socket) => {
      socket.write(`${head(`Content-Length: ${index.length}\r\n\r\n`)}${index.slice(0, 10)}`, () => {
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
      return null;
    });

    const result = await probe();

    expectDiagnosis(result, 'CONNECTION_RESET');
    expect(evidence(result)).toContain('errno: ECONNRESET');
  });
});
