/**
 * Step 1 of the handshake: GET /v2/ tells whether the registry speaks the v2 API and how it wants
 * clients to authenticate (the WWW-Authenticate challenge of its 401). The ping never carries
 * Authorization: the challenge decides what, if anything, to send.
 */
import { type Challenge, parseWwwAuthenticate } from './challenge.ts';
import { ProtocolError } from './errors.ts';
import type { HttpExchange } from './http.ts';
import { httpErrorFrom, type RegistryClient } from './registry-client.ts';

export interface PingResult {
  /** Empty when the registry let us in without authentication (200). */
  challenges: Challenge[];
  /** The raw WWW-Authenticate header, for evidence. */
  header: string | null;
  exchange: HttpExchange;
}

export async function ping(registry: RegistryClient): Promise<PingResult> {
  const url = new URL('/v2/', registry.baseUrl);
  const exchange = await registry.http.send({ step: 'ping', method: 'GET', url });
  registry.observe(exchange, url);
  const { status, headers } = exchange;
  if (status >= 200 && status < 300) return { challenges: [], header: null, exchange };
  if (status === 401) {
    const header = headers['www-authenticate'];
    if (!header) {
      throw new ProtocolError(`GET ${url}: answered 401 without a WWW-Authenticate header`, [
        'status: 401',
        'WWW-Authenticate: (missing)',
      ]);
    }
    return { challenges: parseWwwAuthenticate(header), header, exchange };
  }
  if ((status >= 300 && status < 400) || status === 404) {
    // A web server, a load balancer's default page or a wrong port: not the v2 API.
    throw new ProtocolError(
      `GET ${url}: answered ${status}; this endpoint does not serve the registry v2 API`,
      [
        `status: ${status}`,
        `content-type: ${headers['content-type'] ?? '(none)'}`,
        ...(headers['location'] ? [`location: ${headers['location']}`] : []),
        ...(headers['server'] ? [`server: ${headers['server']}`] : []),
      ],
    );
  }
  throw httpErrorFrom(exchange, 'ping', 'GET', url);
}

export type { Challenge };
