/**
 * A token service set up the way auth.docker.io is: the registry's challenge sends the client here
 * with `GET ?service=...&scope=repository:NAME:pull`, optionally with Basic credentials, and it
 * answers `{ token, access_token, expires_in, issued_at }` holding an ES256 JWT the distribution
 * registry accepts (see FIELD-NOTES "Token auth": the `kid` must be the libtrust id of the key).
 *
 * It also speaks the OAuth2 side of the distribution token spec, which docker uses with the
 * `identitytoken` of config.json: `POST` with a form body `grant_type=refresh_token&service=&scope=
 * &client_id=&refresh_token=`, answered `{ access_token, expires_in, scope, issued_at }`; a refresh
 * token it does not know gets 400 `invalid_grant`, a missing client_id 400 `invalid_request`.
 */
import { createHash, KeyObject, randomUUID, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertKeyPair } from './certs.ts';
import { createSelfSigned, generateKeys } from './certs.ts';
import { startHttpServer } from './servers.ts';

/** A failure the token service can be told to produce. */
export type TokenFault =
  /** HTTP 500 with a plain-text body. */
  | 'status-500'
  /** HTTP 200 whose body is not JSON. */
  | 'garbage'
  /** HTTP 200 JSON without `token` or `access_token`. */
  | 'no-token'
  /** A real token service's captured answer, sent as it is to every token request. */
  | { answer: { status: number; headers: Readonly<Record<string, string>>; body: string } };

export interface TokenServerOptions {
  /** Accounts that may log in with Basic, user name -> password. They get every action they ask for. @default {} */
  users?: Record<string, string>;
  /** Whether a request without credentials gets a pull token (Docker Hub's public images). @default true */
  anonymousPull?: boolean;
  /** The `service` the registry names in its challenge; also the token's `aud`. @default 'registry.canary.test' */
  service?: string;
  /** @default 'registry-canary-test-issuer' */
  issuer?: string;
  /** `expires_in` in the reply; null leaves the field out (then clients assume 60 s). @default 300 */
  expiresIn?: number | null;
  /** Which token fields the reply carries. @default 'both' */
  fields?: 'both' | 'token' | 'access_token';
  /** Serve HTTPS with this certificate (needed when the registry is HTTPS and credentials are sent). */
  tls?: CertKeyPair;
  /** Refresh tokens (docker identity tokens) the OAuth2 POST accepts, token -> user name. @default {} */
  refreshTokens?: Record<string, string>;
}

/** One token request, as received. `authorization` is the raw header (tests check who sent what). */
export interface TokenRequest {
  /** GET (docker's token endpoint) or POST (the OAuth2 grant). */
  method: string;
  /** The OAuth2 form's grant_type and client_id; null for GET. */
  grantType: string | null;
  clientId: string | null;
  service: string | null;
  /** Every scope asked for: repeated `scope` parameters and space-separated scopes, flattened. */
  scopes: string[];
  authorization: string | null;
  /** The Basic user name, or the user of an accepted refresh token. */
  username: string | null;
  status: number;
}

export interface TokenServer {
  url: string;
  /** The URL to give the registry as `auth.token.realm`. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate of the signing key, written to `rootCertPath` for `auth.token.rootcertbundle`. */
  rootCertPem: string;
  rootCertPath: string;
  requests: TokenRequest[];
  /** From now on, answer with this failure (null: answer normally again). */
  setFault(fault: TokenFault | null): void;
  stop(): Promise<void>;
}

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const service = options.service ?? 'registry.canary.test';
  const issuer = options.issuer ?? 'registry-canary-test-issuer';
  const users = options.users ?? {};
  const anonymousPull = options.anonymousPull ?? true;
  const expiresIn = options.expiresIn === undefined ? 300 : options.expiresIn;
  const fields = options.fields ?? 'both';

  const keys = await generateKeys();
  const cert = await createSelfSigned('CN=registry-canary token signer', keys);
  const rootCertPem = cert.toString('pem');
  const dir = await mkdtemp(join(tmpdir(), 'canary-token-'));
  const rootCertPath = join(dir, 'token-signer.crt');
  await writeFile(rootCertPath, `${rootCertPem}\n`);
  const signingKey = KeyObject.from(keys.privateKey);
  const kid = libtrustKeyId(Buffer.from(cert.publicKey.rawData));

  const requests: TokenRequest[] = [];
  let fault: TokenFault | null = null;
  const refreshTokens = options.refreshTokens ?? {};

  const issue = (subject: string, access: Access[]): string => {
    const now = Math.floor(Date.now() / 1000);
    return jwt(signingKey, kid, {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + (expiresIn ?? 60),
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
  };

  /** The OAuth2 refresh-token grant: every action asked for, like a Basic login. */
  const handleOAuth = (
    form: URLSearchParams,
    scopes: string[],
    record: (status: number, username?: string) => void,
    res: ServerResponse,
  ): void => {
    const username = refreshTokens[form.get('refresh_token') ?? ''];
    // RFC 6749 section 5.2: every one of these is a 400 with an error code.
    const error =
      form.get('grant_type') !== 'refresh_token'
        ? 'unsupported_grant_type'
        : !form.get('client_id')
          ? 'invalid_request'
          : username === undefined
            ? 'invalid_grant'
            : null;
    if (error !== null || username === undefined) {
      record(400);
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
      return;
    }
    const access = scopes.map(parseScope).filter((a): a is Access => a !== null);
    const body: Record<string, unknown> = {
      access_token: issue(username, access),
      scope: scopes.join(' '),
      issued_at: new Date().toISOString(),
    };
    if (expiresIn !== null) body['expires_in'] = expiresIn;
    record(200, username);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : null;
    const query = form ?? new URL(req.url ?? '/', 'http://token.invalid').searchParams;
    const scopes = query.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    const authorization = req.headers.authorization ?? null;
    const basic = parseBasic(authorization);
    const record = (status: number, username?: string): void => {
      requests.push({
        method: req.method ?? '',
        grantType: form?.get('grant_type') ?? null,
        clientId: form?.get('client_id') ?? null,
        service: query.get('service'),
        scopes,
        authorization,
        username: username ?? basic?.username ?? null,
        status,
      });
    };

    if (typeof fault === 'object' && fault !== null) {
      record(fault.answer.status);
      res.writeHead(fault.answer.status, { ...fault.answer.headers }).end(fault.answer.body);
      return;
    }
    if (fault === 'status-500') {
      record(500);
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal token service failure');
      return;
    }
    if (fault === 'garbage') {
      record(200);
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html><body>Bad Gateway</body></html>');
      return;
    }
    if (fault === 'no-token') {
      record(200);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"details":"nothing for you"}');
      return;
    }

    if (form) return handleOAuth(form, scopes, record, res);

    // Docker Hub answers wrong credentials with 401 at the token service, not at the registry.
    let subject = '';
    let allowed: (actions: string[]) => string[];
    if (basic) {
      if (users[basic.username] !== basic.password) {
        record(401);
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"details":"incorrect username or password"}');
        return;
      }
      subject = basic.username;
      allowed = (actions) => actions;
    } else if (authorization !== null || !anonymousPull) {
      record(401);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"authentication required"}');
      return;
    } else {
      allowed = (actions) => actions.filter((a) => a === 'pull');
    }

    const access = scopes.flatMap((scope) => {
      const parsed = parseScope(scope);
      return parsed ? [{ ...parsed, actions: allowed(parsed.actions) }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const token = issue(subject, access);
    const body: Record<string, unknown> = { issued_at: new Date(now * 1000).toISOString() };
    if (fields !== 'access_token') body['token'] = token;
    if (fields !== 'token') body['access_token'] = token;
    if (expiresIn !== null) body['expires_in'] = expiresIn;
    record(200);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = await startHttpServer(handle, options.tls ? { tls: options.tls } : {});
  return {
    url: server.url,
    realm: `${server.url}/token`,
    service,
    issuer,
    rootCertPem,
    rootCertPath,
    requests,
    setFault: (next) => {
      fault = next;
    },
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The libtrust key id the distribution registry expects in the JWT header: the first 240 bits of
 * SHA-256 over the DER SubjectPublicKeyInfo, base32 (RFC 4648, no padding), in 12 groups of 4.
 */
export function libtrustKeyId(spkiDer: Buffer): string {
  const digest = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const base32 = base32Encode(digest);
  return base32.match(/.{4}/g)!.join(':');
}

function base32Encode(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function jwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode(claims)}`;
  // JOSE wants the raw r||s signature, not node's default DER encoding.
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function parseScope(scope: string): Access | null {
  // repository:NAME:ACTIONS, where NAME may hold a registry port (rare) but never the last colon.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

function parseBasic(header: string | null): { username: string; password: string } | null {
  if (!header?.toLowerCase().startsWith('basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
