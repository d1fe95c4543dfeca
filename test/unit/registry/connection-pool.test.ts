/**
 * Connections leased across probes (connection-pool.ts), against a real node:http server on
 * loopback: what is reused, what never is, and that the pool stays bounded.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionPool, MAX_IDLE_PER_KEY } from '../../../functions/registry/connection-pool.ts';
import { Deadline } from '../../../functions/registry/deadline.ts';
import { HttpClient } from '../../../functions/registry/http.ts';
import { createTestCertificates } from '../../integration/harness/certs.ts';

let server: Server;
let base: string;
let opened = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return;
    res.end('ok');
  });
  server.on('connection', (s) => {
    opened += 1;
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

function client(pool: ConnectionPool, over: { trustedHost?: string; timeoutMs?: number } = {}) {
  return new HttpClient({
    deadline: new Deadline(over.timeoutMs ?? 5_000),
    requestTimeoutMs: 2_000,
    trustedHost: over.trustedHost ?? '127.0.0.1',
    pool,
  });
}

const get = (http: HttpClient, path = '/ok') =>
  http.send({ step: 'manifest-head', method: 'GET', url: new URL(`${base}${path}`) });

describe('ConnectionPool with HttpClient', () => {
  it("hands the next probe the previous probe's connection, marked as reused", async () => {
    const pool = new ConnectionPool();
    const before = opened;
    const first = client(pool);
    expect((await get(first)).step.reusedConnection).toBe(false);
    await first.close();

    const second = client(pool);
    const answer = await get(second);
    await second.close();

    expect(answer.step.reusedConnection).toBe(true);
    expect(answer.step.timings.connectMs).toBeNull();
    expect(opened - before).toBe(1);
    await pool.clear();
  });

  it('never lets two probes share a connection at the same time', async () => {
    const pool = new ConnectionPool();
    const before = opened;
    const a = client(pool);
    const b = client(pool);

    const [ra, rb] = await Promise.all([get(a), get(b)]);

    expect(ra.step.reusedConnection).toBe(false);
    expect(rb.step.reusedConnection).toBe(false);
    expect(opened - before).toBe(2);
    await Promise.all([a.close(), b.close()]);
    expect(pool.idleCount).toBe(2);
    await pool.clear();
  });

  it("never hands one registry's connection to another registry's probe", async () => {
    const pool = new ConnectionPool();
    const before = opened;
    const first = client(pool, { trustedHost: 'registry-a.example' });
    await get(first);
    await first.close();

    const other = client(pool, { trustedHost: 'registry-b.example' });
    const answer = await get(other);
    await other.close();

    expect(answer.step.reusedConnection).toBe(false);
    expect(opened - before).toBe(2);
    await pool.clear();
  });

  it('ends a connection a request failed on instead of handing it on', async () => {
    const pool = new ConnectionPool();
    const http = client(pool, { timeoutMs: 200 });
    await get(http, '/hang').catch(() => {});
    await http.close();

    expect(pool.idleCount).toBe(0);
  });

  it('keeps at most MAX_IDLE_PER_KEY idle connections per origin', async () => {
    const pool = new ConnectionPool();
    const clients = Array.from({ length: MAX_IDLE_PER_KEY + 3 }, () => client(pool));
    await Promise.all(clients.map((c) => get(c)));
    await Promise.all(clients.map((c) => c.close()));

    expect(pool.idleCount).toBe(MAX_IDLE_PER_KEY);
    await pool.clear();
    expect(pool.idleCount).toBe(0);
  });

  it('reports the certificate of a reused TLS connection, as the probe that opened it saw it', async () => {
    const certificates = await createTestCertificates();
    const tls = createHttpsServer(
      { cert: certificates.leaves.valid.certPem, key: certificates.leaves.valid.keyPem },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = new URL(`https://127.0.0.1:${(tls.address() as AddressInfo).port}/ok`);
    const pool = new ConnectionPool();
    const https = () =>
      new HttpClient({
        deadline: new Deadline(5_000),
        requestTimeoutMs: 2_000,
        trustedHost: '127.0.0.1',
        caCertificates: [certificates.ca.certPem],
        pool,
      });
    try {
      const first = https();
      const opened = await first.send({ step: 'ping', method: 'GET', url });
      await first.close();
      const second = https();
      const reused = await second.send({ step: 'manifest-get', method: 'GET', url });
      await second.close();

      expect(opened.step.reusedConnection).toBe(false);
      expect(opened.tls?.subject).toContain('127.0.0.1');
      expect(reused.step.reusedConnection).toBe(true);
      expect(reused.step.timings.tlsMs).toBeNull();
      expect(reused.tls).toEqual(opened.tls);
    } finally {
      await pool.clear();
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
      await certificates.remove();
    }
  });
});
