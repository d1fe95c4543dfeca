import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ECRPUBLICClient } from '@aws-sdk/client-ecr-public';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AwsClientFactories, awsClientFactories } from '../../../functions/credentials/aws-clients.ts';
import { CliAuthError, credentialsFromCliAuth } from '../../../functions/credentials/cli-auth.ts';
import { createCredentialProvider, lazyProvider } from '../../../functions/credentials/factory.ts';
import { secretsManagerReader } from '../../../functions/credentials/secrets.ts';
import { credentialSourceSchema } from '../../../functions/credentials/source.ts';

const sm = mockClient(SecretsManagerClient);
const ecr = mockClient(ECRClient);

const regions: string[] = [];
const aws: AwsClientFactories = {
  ecrClient: (region, clientOptions) => {
    regions.push(region);
    return new ECRClient({ region, ...clientOptions });
  },
  stsClient: (region) => new STSClient({ region }),
  ecrPublicClient: (region) => new ECRPUBLICClient({ region }),
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeEach(() => {
  sm.reset();
  ecr.reset();
  regions.length = 0;
});

describe('createCredentialProvider', () => {
  const deps = () => ({
    ...aws,
    secrets: secretsManagerReader({ client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
  });

  it('reads basic credentials from the named secret', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'registry/quay' }).resolves({
      SecretString: '{"username":"org+robot","password":"tok"}',
    });
    const source = credentialSourceSchema.parse({ type: 'basic', secret: 'registry/quay' });

    const provider = createCredentialProvider(source, deps());

    expect(provider.source).toBe('basic');
    await expect(provider.resolve('quay.io')).resolves.toEqual({
      kind: 'basic',
      username: 'org+robot',
      password: 'tok',
    });
  });

  it('exchanges nothing for a google json-key source: the secret is the password', async () => {
    const key = JSON.stringify({
      type: 'service_account',
      client_email: 'a@b.iam.gserviceaccount.com',
      private_key: 'k',
    });
    sm.on(GetSecretValueCommand).resolves({ SecretString: key });
    const source = credentialSourceSchema.parse({ type: 'google', secret: 'gcr-key', mode: 'json-key' });

    await expect(createCredentialProvider(source, deps()).resolve('gcr.io')).resolves.toEqual({
      kind: 'basic',
      username: '_json_key',
      password: key,
    });
  });

  it('builds an ECR provider in the region of the config', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: b64('AWS:x'), expiresAt: new Date(Date.now() + 3_600_000) }],
    });
    const source = credentialSourceSchema.parse({ type: 'ecr', region: 'sa-east-1' });

    await createCredentialProvider(source, deps()).resolve('mirror.internal');

    expect(regions).toEqual(['sa-east-1']);
  });

  it('is anonymous for ecr-public unless authenticated', async () => {
    const source = credentialSourceSchema.parse({ type: 'ecr-public' });

    await expect(createCredentialProvider(source, deps()).resolve('public.ecr.aws')).resolves.toBeNull();
  });
});

describe('credentialsFromCliAuth', () => {
  const home = { HOME: '/home/u', DOCKER_CONFIG: '/home/u/.docker' };

  it('uses docker config.json by default when it exists', async () => {
    const provider = await credentialsFromCliAuth(undefined, {
      env: home,
      fileExists: (p) => p === '/home/u/.docker/config.json',
      readFile: async () => JSON.stringify({ auths: { 'ghcr.io': { auth: b64('octo:pat') } } }),
    });

    expect(provider.source).toBe('docker-config');
    await expect(provider.resolve('ghcr.io')).resolves.toMatchObject({ username: 'octo' });
  });

  it('probes anonymously with a notice when the default config has only a credsStore for the host', async () => {
    const notices: string[] = [];
    const provider = await credentialsFromCliAuth(undefined, {
      env: home,
      fileExists: () => true,
      readFile: async () => JSON.stringify({ auths: {}, credsStore: 'osxkeychain' }),
      notice: (message) => notices.push(message),
    });

    await expect(provider.resolve('ghcr.io')).resolves.toBeNull();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('docker-credential-osxkeychain');
  });

  it('fails naming the helper when --auth docker-config was asked for and only a credsStore could hold the credentials', async () => {
    const notices: string[] = [];
    const provider = await credentialsFromCliAuth('docker-config', {
      env: home,
      readFile: async () => JSON.stringify({ auths: {}, credsStore: 'osxkeychain' }),
      notice: (message) => notices.push(message),
    });

    await expect(provider.resolve('ghcr.io')).rejects.toMatchObject({
      providerCode: 'CredentialHelperNotSupported',
      message: expect.stringContaining('docker-credential-osxkeychain'),
    });
    expect(notices).toEqual([]);
  });

  it('is anonymous by default when there is no config.json', async () => {
    const provider = await credentialsFromCliAuth(undefined, { env: home, fileExists: () => false });

    expect(provider.source).toBe('anonymous');
  });

  it('reads the password of basic from stdin without its trailing newline', async () => {
    const provider = await credentialsFromCliAuth('basic', {
      username: 'me',
      readPasswordStdin: async () => 'tok\n',
    });

    await expect(provider.resolve('r')).resolves.toEqual({ kind: 'basic', username: 'me', password: 'tok' });
  });

  it('asks for --username with basic', async () => {
    await expect(credentialsFromCliAuth('basic', {})).rejects.toThrow(
      new CliAuthError('--auth basic needs --username.'),
    );
  });

  it('asks for --password-stdin with basic', async () => {
    await expect(credentialsFromCliAuth('basic', { username: 'me' })).rejects.toThrow(/--password-stdin/);
  });

  it('reads docker-config from the given path', async () => {
    const paths: string[] = [];
    const provider = await credentialsFromCliAuth('docker-config=/tmp/cfg.json', {
      readFile: async (p) => {
        paths.push(p);
        return '{"auths":{}}';
      },
    });

    await provider.resolve('ghcr.io');

    expect(paths).toEqual(['/tmp/cfg.json']);
  });

  it('passes region and role of ecr', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: b64('AWS:x'), expiresAt: new Date(Date.now() + 3_600_000) }],
    });
    const provider = await credentialsFromCliAuth('ecr,region=eu-north-1', { aws });

    await provider.resolve('registry.internal');

    expect(provider.source).toBe('ecr');
    expect(regions).toEqual(['eu-north-1']);
  });

  it('reads a google key file', async () => {
    const key = JSON.stringify({
      type: 'service_account',
      client_email: 'a@b.iam.gserviceaccount.com',
      private_key: 'k',
    });
    const provider = await credentialsFromCliAuth('google-json-key=/keys/sa.json', {
      readFile: async (p) => (p === '/keys/sa.json' ? key : ''),
    });

    await expect(provider.resolve('gcr.io')).resolves.toMatchObject({ username: '_json_key', password: key });
  });

  it.each([['google-key'], ['nonsense'], ['ecr,colour=blue']])(
    'refuses --auth %s with a usage message',
    async (flag) => {
      await expect(credentialsFromCliAuth(flag, {})).rejects.toBeInstanceOf(CliAuthError);
    },
  );
});

describe('awsClientFactories', () => {
  /** The ECR client that sent the n-th command, and the API endpoint its own config resolves to. */
  async function sender(n: number): Promise<{ fips: boolean; dualStack: boolean; endpoint: string }> {
    const client = ecr.send.getCall(n).thisValue as ECRClient;
    const [region, fips, dualStack] = await Promise.all([
      client.config.region(),
      client.config.useFipsEndpoint(),
      client.config.useDualstackEndpoint(),
    ]);
    const endpoint = client.config.endpointProvider({
      Region: region,
      UseFIPS: fips,
      UseDualStack: dualStack,
    });
    return { fips, dualStack, endpoint: endpoint.url.host };
  }

  const reply = () => ({
    authorizationData: [{ authorizationToken: b64('AWS:x'), expiresAt: new Date(Date.now() + 3_600_000) }],
  });

  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', false, false, 'api.ecr.us-east-1.amazonaws.com'],
    [
      '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com',
      true,
      false,
      'api.ecr-fips.us-east-1.amazonaws.com',
    ],
    ['123456789012.dkr-ecr.eu-west-1.on.aws', false, true, 'ecr.eu-west-1.api.aws'],
    ['123456789012.dkr-ecr-fips.us-east-2.on.aws', true, true, 'ecr-fips.us-east-2.api.aws'],
    [
      '123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn',
      false,
      true,
      'ecr.cn-north-1.api.amazonwebservices.com.cn',
    ],
  ])(
    'builds the ECR client for %s with FIPS %s and dual-stack %s (API %s)',
    async (host, fips, dualStack, api) => {
      ecr.on(GetAuthorizationTokenCommand).resolves(reply());
      const source = credentialSourceSchema.parse({ type: 'ecr' });
      const provider = createCredentialProvider(source, {
        ...awsClientFactories(),
        secrets: { read: () => Promise.reject(new Error('no secret is read for ecr')) },
      });

      await provider.resolve(host);

      expect(await sender(0)).toEqual({ fips, dualStack, endpoint: api });
    },
  );

  it('reuses one ECR client per region and endpoint variant', () => {
    const factories = awsClientFactories();
    const plain = { useFipsEndpoint: false, useDualstackEndpoint: false };
    const fips = { useFipsEndpoint: true, useDualstackEndpoint: false };

    expect(factories.ecrClient('us-east-1', plain)).toBe(factories.ecrClient('us-east-1', plain));
    expect(factories.ecrClient('us-east-1', fips)).not.toBe(factories.ecrClient('us-east-1', plain));
  });
});

describe('the sources loaded on first use (ECR, ECR Public, Google)', () => {
  const secrets = secretsManagerReader({ client: new SecretsManagerClient({ region: 'eu-west-1' }) });

  it.each([
    [{ type: 'ecr', region: 'eu-west-1' }, 'ecr', true],
    [{ type: 'ecr-public', authenticated: true }, 'ecr-public', false],
    [{ type: 'google', secret: 'k', mode: 'json-key' }, 'google-json-key', false],
    [{ type: 'google', secret: 'k', mode: 'access-token' }, 'google', false],
  ])('%o is named %s before any resolve, and can refresh: %s', (raw, name, refreshes) => {
    const provider = createCredentialProvider(credentialSourceSchema.parse(raw), { ...aws, secrets });
    expect(provider.source).toBe(name);
    // The registry client offers a re-login only to a provider with refresh (types.ts): the wrapper
    // must have it exactly when the real provider (ecr.ts) does.
    expect(typeof provider.refresh === 'function').toBe(refreshes);
  });

  it('an ECR provider refreshes through the real one, past its token cache', async () => {
    const token = (t: string) => ({
      authorizationData: [
        { authorizationToken: b64(`AWS:${t}`), expiresAt: new Date(Date.now() + 3_600_000) },
      ],
    });
    ecr.on(GetAuthorizationTokenCommand).resolvesOnce(token('token-1')).resolvesOnce(token('token-2'));
    const provider = createCredentialProvider(
      credentialSourceSchema.parse({ type: 'ecr', region: 'eu-west-1' }),
      {
        ...aws,
        secrets,
      },
    );

    await expect(provider.resolve('r.internal')).resolves.toMatchObject({ password: 'token-1' });
    await expect(provider.resolve('r.internal')).resolves.toMatchObject({ password: 'token-1' });
    await expect(provider.refresh!('r.internal')).resolves.toMatchObject({ password: 'token-2' });
  });

  it('loads the implementation once, on the first resolve, and again only after a failed load', async () => {
    let loads = 0;
    const real = { source: 'x', resolve: async () => null };
    const provider = lazyProvider('x', { refreshes: false }, async () => {
      loads++;
      if (loads === 1) throw new Error('chunk missing');
      return real;
    });
    expect(loads).toBe(0);

    await expect(provider.resolve('h')).rejects.toThrow('chunk missing');
    await expect(provider.resolve('h')).resolves.toBeNull();
    await provider.resolve('h');

    expect(loads).toBe(2);
  });
});
