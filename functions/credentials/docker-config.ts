/**
 * Credentials from docker's config.json, found and matched the way the docker CLI does:
 * `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; Docker Hub under the key
 * `https://index.docker.io/v1/`; other registries under their host, with or without scheme and path.
 *
 * Credential helpers (`credsStore`, `credHelpers`) are not run: running a configured binary from a
 * probe is out of scope. When one holds this registry's credentials, resolve says so and names the
 * helper instead of silently probing anonymously. When only `credsStore` is set and the config has
 * no entry for the registry, the probe cannot tell whether the store holds anything for it: by
 * default that fails too, naming the helper; a caller that prefers docker's behaviour (anonymous
 * when the store has nothing) passes onCredsStoreSkipped and is told each time it happens.
 */
import { readFile as nodeReadFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseJsonWithoutEcho } from './secret-sources.ts';
import { type CredentialProvider, CredentialsUnavailableError, type RegistryCredentials } from './types.ts';

export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Where docker reads its config: DOCKER_CONFIG (a directory) or ~/.docker. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(env['DOCKER_CONFIG'] || join(home, '.docker'), 'config.json');
}

export interface DockerConfigOptions {
  /** @default dockerConfigPath() */
  path?: string;
  /** @default fs.promises.readFile as UTF-8 */
  readFile?: (path: string) => Promise<string>;
  /**
   * For a registry without an `auths` entry while `credsStore` is set: go on anonymously and call
   * this with the reason (which names the helper). @default absent: fail with CREDENTIALS_UNAVAILABLE
   */
  onCredsStoreSkipped?: (message: string) => void;
}

export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialProvider {
  const path = options.path ?? dockerConfigPath();
  const readFile = options.readFile ?? ((p: string) => nodeReadFile(p, 'utf8'));

  return {
    source: 'docker-config',
    async resolve(registryHost) {
      const config = await loadConfig(path, readFile);
      return credentialsForHost(config, registryHost, path, options.onCredsStoreSkipped);
    },
  };
}

async function loadConfig(path: string, readFile: (path: string) => Promise<string>): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CredentialsUnavailableError(
      `Cannot read the docker config ${path}: ${code ?? 'unknown error'}.`,
      code,
      {
        cause: error,
      },
    );
  }
  const parsed = parseJsonWithoutEcho(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CredentialsUnavailableError(
      `The docker config ${path} is not a JSON object.`,
      'InvalidDockerConfig',
    );
  }
  return parsed as DockerConfig;
}

/** The key docker stores a registry under, and the host a stored key stands for. */
function configHostOf(keyOrHost: string): string {
  const withoutScheme = keyOrHost.replace(/^[a-z]+:\/\//i, '');
  const host = withoutScheme.split('/')[0]!.toLowerCase();
  return DOCKER_HUB_HOSTS.has(host) ? 'index.docker.io' : host;
}

export function credentialsForHost(
  config: DockerConfig,
  registryHost: string,
  path: string,
  onCredsStoreSkipped?: (message: string) => void,
): RegistryCredentials | null {
  const host = configHostOf(registryHost);
  const isDockerHub = host === 'index.docker.io';

  const helper = helperFor(config, registryHost, host, isDockerHub);
  if (helper && !helper.fromStore) {
    throw helpersUnsupported(helper.name, registryHost, path);
  }

  const entry = findEntry(config.auths ?? {}, host, isDockerHub);
  const credentials = entry ? decodeEntry(entry.value, entry.key, path) : null;
  if (credentials) return credentials;
  if (!helper) return null;
  // With a credsStore, `docker login` leaves an empty auths entry: the secret is in the store.
  if (entry) throw helpersUnsupported(helper.name, registryHost, path);
  // No entry: the store most likely holds nothing for this registry, but only the helper knows.
  const skipped = `The docker config ${path} has no "auths" entry for ${registryHost} and sets credsStore "${helper.name}", whose helper docker-credential-${helper.name} registry-canary does not run`;
  if (!onCredsStoreSkipped) {
    throw new CredentialsUnavailableError(
      `${skipped}. For a public image use --auth anonymous; otherwise --auth basic with --password-stdin, or an "auths" entry.`,
      'CredentialHelperNotSupported',
    );
  }
  onCredsStoreSkipped(`${skipped}: probing ${registryHost} anonymously.`);
  return null;
}

function helperFor(
  config: DockerConfig,
  registryHost: string,
  host: string,
  isDockerHub: boolean,
): { name: string; fromStore: boolean } | null {
  const helpers = config.credHelpers ?? {};
  for (const [key, name] of Object.entries(helpers)) {
    if (
      key === registryHost ||
      configHostOf(key) === host ||
      (isDockerHub && key === DOCKER_HUB_CONFIG_KEY)
    ) {
      return { name, fromStore: false };
    }
  }
  return config.credsStore ? { name: config.credsStore, fromStore: true } : null;
}

function helpersUnsupported(name: string, registryHost: string, path: string): CredentialsUnavailableError {
  return new CredentialsUnavailableError(
    `The docker config ${path} keeps the credentials for ${registryHost} in the credential helper docker-credential-${name}, which registry-canary does not run. Use --auth basic with --password-stdin, or an "auths" entry.`,
    'CredentialHelperNotSupported',
  );
}

function findEntry(
  auths: Record<string, AuthEntry>,
  host: string,
  isDockerHub: boolean,
): { key: string; value: AuthEntry } | null {
  // Exact keys first, as docker does, then keys that normalise to the same host.
  const exact = isDockerHub ? [DOCKER_HUB_CONFIG_KEY] : [host, `https://${host}`, `http://${host}`];
  for (const key of exact) {
    const value = auths[key];
    if (value) return { key, value };
  }
  for (const [key, value] of Object.entries(auths)) {
    if (configHostOf(key) === host) return { key, value };
  }
  return null;
}

function decodeEntry(entry: AuthEntry, key: string, path: string): RegistryCredentials | null {
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    return { kind: 'identity-token', identityToken: entry.identitytoken };
  }
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new CredentialsUnavailableError(
        `The "auth" of ${key} in the docker config ${path} is not base64 of username:password.`,
        'InvalidDockerConfig',
      );
    }
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') {
    return { kind: 'basic', username: entry.username, password: entry.password };
  }
  return null;
}
