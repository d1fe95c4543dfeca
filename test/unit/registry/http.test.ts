import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStep } from '../../../functions/probe/result.ts';
import { Deadline } from '../../../functions/registry/deadline.ts';
import {
  BodyTooLargeError,
  ForbiddenAddressError,
  TimeoutError,
  TransportError,
} from '../../../functions/registry/errors.ts';
import { guardedLookup, type LookupFunction } from '../../../functions/registry/forbidden-hosts.ts';
import { HttpClient, malformedResponseProblem } from '../../../functions/registry/http.ts';

let server: Server;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') {
      res.end('hello');
    } else if (req.url === '/hang') {
      // never answers
    } else if (req.url === '/drip') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    } else if (req.url === '/big-error') {
      res.writeHead(500);
      res.end(Buffer.alloc(200 * 1024, 'e'));
    } else if (req.url === '/big') {
      res.end(Buffer.alloc(2048, 'b'));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(timeoutMs = 5_000, requestTimeoutMs = 2_000, steps: ProbeStep[] = []) {
  const c = new HttpClient({
    deadline: new Deadline(timeoutMs),
    requestTimeoutMs,
    onStep: (s) => steps.push(s),
  });
  clients.push(c);
  return c;
}

describe('HttpClient', () => {
  it('times a new connection and marks the second request as reused', async () => {
    const http = client();
    const first = await http.send({ step: 'ping', method: 'GET', url: new URL(`${base}/ok`) });
    const second = await http.send({ step: 'manifest-head', method: 'GET', url: new URL(`${base}/ok`) });
    expect(first.body.toString()).toBe('hello');
    expect(first.step.reusedConnection).toBe(false);
    expect(first.step.timings.connectMs).not.toBeNull();
    expect(first.step.timings.dnsMs).toBeNull(); // an IP literal has no lookup
    expect(first.step.timings.tlsMs).toBeNull(); // plain HTTP
    expect(first.step.timings.ttfbMs).not.toBeNull();
    expect(second.step.reusedConnection).toBe(true);
    expect(second.step.timings.connectMs).toBeNull();
  });

  it('ends a request that never answers as a TimeoutError at the request timeout', async () => {
    const steps: ProbeStep[] = [];
    const http = client(5_000, 300, steps);
    const started = performance.now();
    const error = await http
      .send({ step: 'ping', method: 'GET', url: new URL(`${base}/hang`) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('request');
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.status).toBeNull();
  });

  it('ends a drip-fed body at the overall deadline', async () => {
    const http = client(600, 5_000);
    const started = performance.now();
    const error = await http
      .send({ step: 'blob-get', method: 'GET', url: new URL(`${base}/drip`), maxBodyBytes: 10_000_000 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect((error as TimeoutError).message).toContain('reading the body');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('caps error bodies at 64 KiB', async () => {
    const http = client();
    const res = await http.send({
      step: 'ping',
      method: 'GET',
      url: new URL(`${base}/big-error`),
      maxBodyBytes: 10_000_000,
    });
    expect(res.status).toBe(500);
    expect(res.body.length).toBe(64 * 1024);
    expect(res.bodyTruncated).toBe(true);
  });

  it('fails with BodyTooLargeError when a capped body must be whole', async () => {
    const http = client();
    const error = await http
      .send({
        step: 'manifest-get',
        method: 'GET',
        url: new URL(`${base}/big`),
        maxBodyBytes: 1024,
        bodyOverflow: 'error',
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
  });

  it('reports a closed port as ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await client()
      .send({ step: 'ping', method: 'GET', url: new URL(`http://127.0.0.1:${port}/v2/`) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('ECONNREFUSED');
  });
});

describe('malformedResponseProblem', () => {
  it('names an HTTPParserError by its name, since undici 7 leaves its code undefined', () => {
    const parserError = Object.assign(
      new Error('Response does not match the HTTP/1.1 protocol (Invalid character in chunk size)'),
      { name: 'HTTPParserError', code: undefined, data: 'zz\r\n' },
    );

    expect(malformedResponseProblem(new Error('wrapped', { cause: parserError }))).toEqual({
      problem: 'llhttp refused the bytes: Invalid character in chunk size',
      undici:
        'HTTPParserError (no code): Response does not match the HTTP/1.1 protocol (Invalid character in chunk size)',
      received: '"zz\\r\\n"',
    });
  });

  it.each([
    [{ code: 'UND_ERR_HEADERS_OVERFLOW', message: 'Headers Overflow Error' }, 'response headers are larger'],
    [{ code: 'UND_ERR_SOCKET', message: 'bad upgrade' }, 'switched protocols'],
    [{ code: 'UND_ERR_SOCKET', message: 'bad response' }, 'did not ask for'],
    [{ code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', message: 'x' }, 'Content-Length'],
    [{ code: 'Z_DATA_ERROR', message: 'incorrect header check' }, 'does not decompress'],
    [
      { code: 'HPE_INVALID_HEADER_TOKEN', message: 'x (Invalid header token)' },
      'llhttp refused the bytes: Invalid header token',
    ],
    [
      { code: 'HPE_INVALID_CONSTANT', message: 'x (Expected HTTP/)' },
      'does not start with an HTTP/1.x status line',
    ],
  ])('names %j', (fields, named) => {
    expect(malformedResponseProblem(Object.assign(new Error(fields.message), fields))?.problem).toContain(
      named,
    );
  });

  it.each([
    { code: 'UND_ERR_SOCKET', message: 'other side closed' },
    { code: 'ECONNRESET', message: 'read ECONNRESET' },
    { code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error' },
    { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
  ])('leaves %j to the transport codes', (fields) => {
    expect(malformedResponseProblem(Object.assign(new Error(fields.message), fields))).toBeNull();
  });
});

describe('HttpClient name resolution guard', () => {
  /** A resolver for invented names; every name it does not know fails as DNS would. */
  const resolver = (table: Record<string, string>, asked: string[]): LookupFunction => {
    return (hostname, options, callback) => {
      asked.push(hostname);
      const address = table[hostname];
      if (!address) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
        return;
      }
      const family = address.includes(':') ? 6 : 4;
      if (options.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    };
  };

  it('refuses a name that resolves to the metadata address before connecting, naming both', async () => {
    const asked: string[] = [];
    const steps: ProbeStep[] = [];
    const c = new HttpClient({
      deadline: new Deadline(5_000),
      requestTimeoutMs: 2_000,
      lookup: resolver({ 'realm.rebind.test': '169.254.169.254' }, asked),
      onStep: (s) => steps.push(s),
    });
    clients.push(c);

    const failure = await c
      .send({ step: 'token', method: 'GET', url: new URL('http://realm.rebind.test/token') })
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ForbiddenAddressError);
    expect((failure as ForbiddenAddressError).evidence).toEqual([
      'host: realm.rebind.test',
      'resolved address: 169.254.169.254',
      'refused: the link-local address 169.254.169.254 (cloud metadata)',
      'GET http://realm.rebind.test/token',
    ]);
    expect(asked).toEqual(['realm.rebind.test']);
    expect(steps[0]).toMatchObject({ status: null, timings: { connectMs: null } });
  });

  it('refuses a name with any forbidden address among its answers (IPv6 metadata included)', async () => {
    const c = new HttpClient({
      deadline: new Deadline(5_000),
      requestTimeoutMs: 2_000,
      lookup: resolver({ 'v6.rebind.test': 'fd00:ec2::254' }, []),
    });
    clients.push(c);

    const failure = await c
      .send({ step: 'blob-redirect', method: 'GET', url: new URL('http://v6.rebind.test/blob') })
      .catch((e: unknown) => e);

    expect((failure as ForbiddenAddressError).address).toBe('fd00:ec2::254');
  });

  it('connects through the same lookup when the name resolves to an allowed address', async () => {
    const asked: string[] = [];
    const port = new URL(base).port;
    const c = new HttpClient({
      deadline: new Deadline(5_000),
      requestTimeoutMs: 2_000,
      lookup: resolver({ 'registry.alias.test': '127.0.0.1' }, asked),
    });
    clients.push(c);

    const answer = await c.send({
      step: 'ping',
      method: 'GET',
      url: new URL(`http://registry.alias.test:${port}/ok`),
    });

    expect(answer.status).toBe(200);
    expect(asked).toEqual(['registry.alias.test']);
  });

  it("does not check the registry's own host: where it lives is the user's choice", () => {
    const lookup = guardedLookup(
      'registry.internal.test',
      resolver({ 'registry.internal.test': '169.254.10.10', 'other.test': '169.254.10.10' }, []),
    );
    const outcomes: string[] = [];

    lookup('registry.internal.test', {}, (error, address) =>
      outcomes.push(error ? error.message : String(address)),
    );
    lookup('other.test', {}, (error) => outcomes.push(error ? (error as Error).name : 'allowed'));

    expect(outcomes).toEqual(['169.254.10.10', 'ForbiddenAddressError']);
  });
});
