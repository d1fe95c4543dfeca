/**
 * The CLI's `--auth` flag, turned into a CredentialProvider. The providers that need the AWS SDK or
 * google-auth-library are imported only when chosen: together they are most of the CLI's start-up
 * time, and most probes are anonymous or use docker's config.json.
 */
import { existsSync } from 'node:fs';
import { readFile as nodeReadFile } from 'node:fs/promises';
import type { AwsClientFactories } from './aws-clients.ts';
import { dockerConfigCredentials, dockerConfigPath } from './docker-config.ts';
import { anonymous, basicCredentials, type CredentialProvider } from './types.ts';

/** A bad `--auth` value or a missing companion flag; the CLI prints the message and exits 2. */
export class CliAuthError extends Error {
  override readonly name = 'CliAuthError';
}

export const CLI_AUTH_USAGE = [
  '--auth anonymous                      no credentials',
  '--auth basic                          --username USER and the password or token on stdin (--password-stdin)',
  '--auth docker-config[=PATH]           auths entries of ~/.docker/config.json (or $DOCKER_CONFIG); the default when it exists',
  '--auth ecr[,region=R][,role=ARN]      ECR GetAuthorizationToken with the AWS default credential chain',
  '--auth ecr-public[,authenticated]     ECR Public: anonymous token, or one from the ecr-public API in us-east-1',
  '--auth google-key=FILE                service-account key exchanged for an access token (oauth2accesstoken)',
  '--auth google-json-key=FILE           service-account key sent as _json_key',
].join('\n');

export interface CliAuthOptions {
  /** --username, for basic. */
  username?: string;
  /** Reads the password or token given on stdin, for basic. */
  readPasswordStdin?: () => Promise<string>;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default fs.existsSync */
  fileExists?: (path: string) => boolean;
  /** @default fs.promises.readFile as UTF-8 */
  readFile?: (path: string) => Promise<string>;
  /** @default awsClientFactories() when ecr or ecr-public is chosen */
  aws?: AwsClientFactories;
  now?: () => number;
  fetch?: typeof fetch;
  /** Told when the default docker config is skipped for a registry (credsStore, no entry). @default a line on stderr */
  notice?: (message: string) => void;
}

/**
 * The provider for the CLI's `--auth` value. Without --auth, docker's config.json is used when it
 * exists (as `docker pull` would), otherwise the probe is anonymous.
 */
export async function credentialsFromCliAuth(
  authFlag: string | undefined,
  options: CliAuthOptions = {},
): Promise<CredentialProvider> {
  const env = options.env ?? process.env;
  const fileExists = options.fileExists ?? existsSync;
  const readFile = options.readFile ?? ((p: string) => nodeReadFile(p, 'utf8'));

  if (authFlag === undefined) {
    const path = dockerConfigPath(env);
    if (!fileExists(path)) return anonymous;
    // Nobody asked for these credentials: where the config has none for a registry, probe it
    // anonymously as `docker pull` would, but say so, because a credsStore might have held some.
    // An explicit --auth docker-config fails instead (dockerConfigCredentials' default).
    const notice = options.notice ?? ((message: string) => process.stderr.write(`note: ${message}\n`));
    return dockerConfigCredentials({ path, readFile, onCredsStoreSkipped: notice });
  }

  const [head = '', ...rest] = authFlag.split(',');
  const eq = head.indexOf('=');
  const kind = eq === -1 ? head : head.slice(0, eq);
  const value = eq === -1 ? undefined : head.slice(eq + 1);
  const params = parseParams(rest, authFlag);

  switch (kind) {
    case 'anonymous':
      return anonymous;
    case 'basic': {
      if (!options.username) throw new CliAuthError('--auth basic needs --username.');
      if (!options.readPasswordStdin) {
        throw new CliAuthError('--auth basic reads the password or token from stdin: pass --password-stdin.');
      }
      // Like `docker login --password-stdin`: the trailing newline of `echo` is not part of it.
      const password = (await options.readPasswordStdin()).replace(/\r?\n$/, '');
      if (password === '') throw new CliAuthError('--auth basic: stdin held no password.');
      return basicCredentials(options.username, password);
    }
    case 'docker-config':
      return dockerConfigCredentials({ path: value || dockerConfigPath(env), readFile });
    case 'ecr': {
      const aws = options.aws ?? (await import('./aws-clients.ts')).awsClientFactories();
      const { ecrCredentials } = await import('./ecr.ts');
      return ecrCredentials({
        region: params.get('region'),
        roleArn: params.get('role'),
        ecrClient: aws.ecrClient,
        stsClient: aws.stsClient,
        now: options.now,
      });
    }
    case 'ecr-public': {
      const authenticated = params.has('authenticated');
      const aws = options.aws ?? (await import('./aws-clients.ts')).awsClientFactories();
      const { ecrPublicCredentials } = await import('./ecr-public.ts');
      return ecrPublicCredentials({
        authenticated,
        ecrPublicClient: aws.ecrPublicClient,
        now: options.now,
      });
    }
    case 'google-key':
    case 'google-json-key': {
      if (!value) throw new CliAuthError(`--auth ${kind}=FILE needs the path of a service-account JSON key.`);
      const { googleCredentials } = await import('./google.ts');
      return googleCredentials({
        readKey: () => readFile(value),
        keyLabel: value,
        mode: kind === 'google-key' ? 'access-token' : 'json-key',
        fetch: options.fetch,
      });
    }
    default:
      throw new CliAuthError(`Unknown --auth value "${kind}". Choose one of:\n${CLI_AUTH_USAGE}`);
  }
}

function parseParams(parts: string[], flag: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (!['region', 'role', 'authenticated'].includes(key)) {
      throw new CliAuthError(`Unknown option "${key}" in --auth ${flag}.`);
    }
    params.set(key, eq === -1 ? '' : part.slice(eq + 1));
  }
  return params;
}
