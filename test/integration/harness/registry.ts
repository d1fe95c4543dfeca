/**
 * The real CNCF distribution registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1,
 * one process per call, in the three modes issue 2 names: plain HTTP, TLS + htpasswd basic auth,
 * and token auth against the suite's token server. Each registry gets a free port and its own
 * storage directory, and is killed by `stop()` (or, as a last resort, when the test process exits).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { createTestCertificates, type LeafKind, type TestCertificates } from './certs.ts';
import { freePort } from './servers.ts';

export type RegistryMode = 'plain' | 'tls-basic' | 'token';

/** What a registry in token mode needs to know about its token server (a `TokenServer` fits). */
export interface TokenAuthority {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificate whose key signs the tokens. */
  rootCertPath: string;
}

export interface StartRegistryOptions {
  mode: RegistryMode;
  /** htpasswd users for `tls-basic`, user name -> password. Hashed with bcrypt cost 4. @default {} */
  users?: Record<string, string>;
  /** The token server, required for `token` mode. */
  tokenAuthority?: TokenAuthority;
  /** Serve TLS in `token` mode too (TLS is always on for `tls-basic`, never for `plain`). @default false */
  tls?: boolean;
  /** Which leaf the registry presents; anything but `valid` produces a TLS failure. @default 'valid' */
  serve?: LeafKind;
  /** Certificates to use; generated when absent. Share one set so a CA trusted once covers every registry. */
  certificates?: TestCertificates;
  /** Serve an existing storage directory (e.g. one already holding a fixture). @default a new temp dir */
  storageDir?: string;
}

export interface RunningRegistry {
  /** Base URL, e.g. `https://127.0.0.1:40123`. */
  url: string;
  /** `127.0.0.1:PORT`, the registry part of an image reference. */
  host: string;
  port: number;
  mode: RegistryMode;
  tls: boolean;
  /** Root of the filesystem storage driver; blobs live under docker/registry/v2/blobs. */
  storageDir: string;
  /** The CA that signed the served leaf (null without TLS). Trust it with `caCertificates: [caPem]`. */
  caPem: string | null;
  certificates: TestCertificates | null;
  /** Kills the process and removes the config (and the storage, when this call created it). */
  stop(): Promise<void>;
}

export const INSTALL_HINT =
  'docker-registry not found: install the CNCF distribution registry with `sudo apt-get install docker-registry` to run the real-registry tests';

/** Whether the `docker-registry` binary is on PATH. */
export function registryAvailable(): boolean {
  const probe = spawnSync('docker-registry', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * The skip policy for real-registry suites: true when the binary is here. The one-line install hint
 * is printed once per run by global-setup.ts; under CI=true a missing registry is an error here too
 * (CI installs it, so its absence means the tests would silently stop guarding anything).
 *
 *     describe.runIf(registryTestsEnabled())('...', () => { ... });
 */
export function registryTestsEnabled(): boolean {
  if (registryAvailable()) return true;
  if (process.env.CI === 'true')
    throw new Error(`${INSTALL_HINT} (CI=true: the real-registry tests must run)`);
  return false;
}

const running = new Set<ChildProcess>();
// Last resort against leaked registries when a test file dies before its afterAll.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a registry and resolves once GET /v2/ answers. */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const tls = options.mode === 'tls-basic' || (options.mode === 'token' && options.tls === true);
  const workDir = await mkdtemp(join(tmpdir(), `canary-registry-${options.mode}-`));
  const storageDir = options.storageDir ?? join(workDir, 'storage');
  await mkdir(storageDir, { recursive: true });
  const certificates = tls
    ? (options.certificates ?? (await createTestCertificates(join(workDir, 'certs'))))
    : null;

  let lastError: unknown;
  // A free port can be taken between the probe and the registry's bind; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configPath = join(workDir, 'config.yml');
    await writeFile(configPath, await registryConfig(options, { port, storageDir, workDir, certificates }));
    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    const stderr = collectTail(child);
    const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    try {
      await waitUntilAnswering(url, child, stderr);
    } catch (error) {
      await kill(child);
      lastError = error;
      continue;
    }
    return {
      url,
      host: `127.0.0.1:${port}`,
      port,
      mode: options.mode,
      tls,
      storageDir,
      caPem: certificates?.ca.certPem ?? null,
      certificates,
      stop: async () => {
        await kill(child);
        await rm(workDir, { recursive: true, force: true });
      },
    };
  }
  await rm(workDir, { recursive: true, force: true });
  throw new Error('docker-registry did not start', { cause: lastError });
}

async function registryConfig(
  options: StartRegistryOptions,
  at: { port: number; storageDir: string; workDir: string; certificates: TestCertificates | null },
): Promise<string> {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(at.storageDir)}`,
    '  delete:',
    '    enabled: true',
    // No blob descriptor cache: a blob planted on disk is served as it is, not from memory.
    'http:',
    `  addr: 127.0.0.1:${at.port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (at.certificates) {
    const leaf = at.certificates.leaves[options.serve ?? 'valid'];
    lines.push(
      '  tls:',
      `    certificate: ${JSON.stringify(leaf.certPath)}`,
      `    key: ${JSON.stringify(leaf.keyPath)}`,
    );
  }
  if (options.mode === 'tls-basic') {
    const htpasswdPath = join(at.workDir, 'htpasswd');
    await writeFile(htpasswdPath, htpasswd(options.users ?? {}), { mode: 0o600 });
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: registry-canary-test',
      `    path: ${JSON.stringify(htpasswdPath)}`,
    );
  }
  if (options.mode === 'token') {
    const authority = options.tokenAuthority;
    if (!authority)
      throw new Error('startRegistry: mode "token" needs tokenAuthority (a running token server)');
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(authority.realm)}`,
      `    service: ${JSON.stringify(authority.service)}`,
      `    issuer: ${JSON.stringify(authority.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(authority.rootCertPath)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * An htpasswd file the registry accepts: bcrypt only, with the `$2y$` prefix Apache writes. Cost 4,
 * because the registry checks the hash on every request and cost 10 adds ~75 ms to each.
 */
export function htpasswd(users: Record<string, string>): string {
  return Object.entries(users)
    .map(([user, password]) => `${user}:${bcrypt.hashSync(password, 4).replace(/^\$2[ab]\$/, '$2y$')}`)
    .join('\n')
    .concat('\n');
}

async function waitUntilAnswering(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    }
    if (await answers(`${url}/v2/`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry at ${url} did not answer within 15 s: ${stderr()}`);
}

/** Any HTTP answer counts (401 in the auth modes); certificate checks are off because some leaves are bad on purpose. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { rejectUnauthorized: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function collectTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  });
  return () => tail.trim();
}

async function kill(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}
