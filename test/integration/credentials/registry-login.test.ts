/**
 * Each credential source against the real CNCF distribution registry (Debian's docker-registry)
 * with htpasswd auth: the credentials a provider yields must open GET /v2/, and a wrong one must
 * not. AWS is mocked at the SDK boundary (aws-sdk-client-mock); Google's token endpoint is a local
 * HTTP server that google-auth-library reaches through the key's token_uri.
 *
 * This checks the providers against the registry directly (GET /v2/ with Basic). The end-to-end
 * runs through the engine's probeImage belong here too once functions/probe/probe.ts exists.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from '../../../functions/credentials/docker-config.ts';
import { ecrCredentials } from '../../../functions/credentials/ecr.ts';
import { googleCredentials } from '../../../functions/credentials/google.ts';
import type { RegistryCredentials } from '../../../functions/credentials/types.ts';

const ecr = mockClient(ECRClient);

const ECR_PASSWORD = `ecr-${crypto.randomUUID()}`;
const ACCESS_TOKEN = `ya29.${crypto.randomUUID()}`;
const DOCKER_PASSWORD = `dckr_pat_${crypto.randomUUID()}`;

let dir = '';
let registry: ChildProcess | undefined;
let registryUrl = '';
let tokenServer: Server | undefined;
let tokenUrl = '';
let serviceAccountKey = '';
const tokenRequests: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForRegistry(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${url}/v2/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`registry at ${url} did not start`);
}

async function status(credentials: RegistryCredentials | null): Promise<number> {
  const headers: Record<string, string> = {};
  if (credentials?.kind === 'basic') {
    headers['authorization'] =
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
  const response = await fetch(`${registryUrl}/v2/`, { headers });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canary-creds-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  // Google's token endpoint, played locally: answers any well-formed JWT-bearer grant.
  tokenServer = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      tokenRequests.push(form.get('grant_type') ?? '');
      res.setHeader('content-type', 'application/json');
      if (
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ||
        !form.get('assertion')
      ) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'bad grant' }));
        return;
      }
      res.end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer' }));
    });
  });
  await new Promise<void>((resolve) => tokenServer!.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;

  serviceAccountKey = JSON.stringify({
    type: 'service_account',
    project_id: 'canary-test',
    private_key_id: 'k1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'puller@canary-test.iam.gserviceaccount.com',
    token_uri: tokenUrl,
  });

  // bcrypt cost 4: cost 10 adds ~75 ms to every authenticated request.
  const users: [string, string][] = [
    ['AWS', ECR_PASSWORD],
    ['oauth2accesstoken', ACCESS_TOKEN],
    ['hubuser', DOCKER_PASSWORD],
    ['_json_key', serviceAccountKey],
  ];
  const htpasswd = users.map(([user, password]) => `${user}:${bcrypt.hashSync(password, 4)}`).join('\n');
  await writeFile(join(dir, 'htpasswd'), `${htpasswd}\n`);

  const port = await freePort();
  registryUrl = `http://127.0.0.1:${port}`;
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error }',
      'storage: { inmemory: {} }',
      `http: { addr: "127.0.0.1:${port}" }`,
      `auth: { htpasswd: { realm: canary, path: "${join(dir, 'htpasswd')}" } }`,
    ].join('\n'),
  );
  registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitForRegistry(registryUrl);
});

afterAll(async () => {
  registry?.kill();
  await new Promise((resolve) => tokenServer?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('credential sources against the real registry', () => {
  it('the registry demands credentials', async () => {
    expect(await status(null)).toBe(401);
  });

  it('ECR: the password of the authorization token opens the registry as user AWS', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
          expiresAt: new Date(Date.now() + 12 * 3_600_000),
        },
      ],
    });
    const provider = ecrCredentials({
      region: 'eu-west-1',
      ecrClient: (region) => new ECRClient({ region }),
    });

    expect(await status(await provider.resolve(new URL(registryUrl).host))).toBe(200);
  });

  it('Google _json_key: the key itself opens the registry', async () => {
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey,
      keyLabel: 'test key',
      mode: 'json-key',
    });

    expect(await status(await provider.resolve('127.0.0.1'))).toBe(200);
  });

  it("Google access token: google-auth-library gets it from the key's token_uri and it opens the registry", async () => {
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey,
      keyLabel: 'test key',
      mode: 'access-token',
    });

    const credentials = await provider.resolve('127.0.0.1');

    expect(credentials).toEqual({ kind: 'basic', username: 'oauth2accesstoken', password: ACCESS_TOKEN });
    expect(tokenRequests).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(await status(credentials)).toBe(200);
  });

  it('docker config.json: the auths entry for host:port opens the registry', async () => {
    const host = new URL(registryUrl).host;
    const path = join(dir, 'docker-config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from(`hubuser:${DOCKER_PASSWORD}`).toString('base64') } },
      }),
    );

    expect(await status(await dockerConfigCredentials({ path }).resolve(host))).toBe(200);
  });

  it('a wrong password is rejected', async () => {
    expect(await status({ kind: 'basic', username: 'AWS', password: 'wrong' })).toBe(401);
  });
});
