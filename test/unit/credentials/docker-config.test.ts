import { describe, expect, it } from 'vitest';
import { dockerConfigCredentials, dockerConfigPath } from '../../../functions/credentials/docker-config.ts';
import { CredentialsUnavailableError } from '../../../functions/credentials/types.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function provider(config: unknown) {
  return dockerConfigCredentials({
    path: '/home/u/.docker/config.json',
    readFile: async () => JSON.stringify(config),
  });
}

describe('dockerConfigCredentials', () => {
  it.each([
    [
      'registry-1.docker.io',
      { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpat') } },
      'hubuser',
      'hubpat',
    ],
    ['docker.io', { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpat') } }, 'hubuser', 'hubpat'],
    ['registry-1.docker.io', { 'index.docker.io': { auth: b64('hubuser:hubpat') } }, 'hubuser', 'hubpat'],
    ['ghcr.io', { 'ghcr.io': { auth: b64('octo:ghp_x:y') } }, 'octo', 'ghp_x:y'],
    ['ghcr.io', { 'https://ghcr.io': { auth: b64('octo:pat') } }, 'octo', 'pat'],
    ['127.0.0.1:5000', { '127.0.0.1:5000': { auth: b64('u:p') } }, 'u', 'p'],
    ['127.0.0.1:5000', { 'http://127.0.0.1:5000/v2/': { auth: b64('u:p') } }, 'u', 'p'],
    ['quay.io', { 'quay.io': { username: 'org+robot', password: 'tok' } }, 'org+robot', 'tok'],
  ])('finds the credentials for %s', async (host, auths, username, password) => {
    await expect(provider({ auths }).resolve(host)).resolves.toEqual({ kind: 'basic', username, password });
  });

  it('prefers the exact key over one that only normalises to the host', async () => {
    const auths = { 'https://ghcr.io/v1/': { auth: b64('old:1') }, 'ghcr.io': { auth: b64('new:2') } };

    await expect(provider({ auths }).resolve('ghcr.io')).resolves.toMatchObject({ username: 'new' });
  });

  it('gives an identity token as such', async () => {
    const auths = {
      'myreg.azurecr.io': {
        auth: b64('00000000-0000-0000-0000-000000000000:'),
        identitytoken: 'eyJ-refresh',
      },
    };

    await expect(provider({ auths }).resolve('myreg.azurecr.io')).resolves.toEqual({
      kind: 'identity-token',
      identityToken: 'eyJ-refresh',
    });
  });

  it('is anonymous for a registry without an entry', async () => {
    await expect(
      provider({ auths: { 'ghcr.io': { auth: b64('a:b') } } }).resolve('quay.io'),
    ).resolves.toBeNull();
  });

  it('does not give Docker Hub credentials to a look-alike host', async () => {
    const auths = { 'https://index.docker.io/v1/': { auth: b64('a:b') } };

    await expect(provider({ auths }).resolve('docker.io.evil.example')).resolves.toBeNull();
  });

  it('names the credential helper of credHelpers instead of failing silently', async () => {
    const config = {
      auths: {},
      credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
    };

    await expect(
      provider(config).resolve('123456789012.dkr.ecr.eu-west-1.amazonaws.com'),
    ).rejects.toMatchObject({
      name: 'CredentialsUnavailableError',
      providerCode: 'CredentialHelperNotSupported',
      message: expect.stringContaining('docker-credential-ecr-login'),
    });
  });

  it('names the credsStore when docker login left an empty entry for the registry', async () => {
    const config = { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'desktop' };

    await expect(provider(config).resolve('registry-1.docker.io')).rejects.toThrow(
      /keeps the credentials for registry-1\.docker\.io in the credential helper docker-credential-desktop/,
    );
  });

  it('fails naming the credsStore helper for a registry without an entry, instead of going anonymous', async () => {
    const error = await provider({ auths: {}, credsStore: 'desktop' })
      .resolve('ghcr.io')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(error).toMatchObject({ providerCode: 'CredentialHelperNotSupported' });
    expect((error as Error).message).toContain('no "auths" entry for ghcr.io');
    expect((error as Error).message).toContain('docker-credential-desktop');
    expect((error as Error).message).toContain('--auth anonymous');
  });

  it('goes anonymous with a notice naming the helper when the caller asks for that', async () => {
    const notices: string[] = [];
    const lenient = dockerConfigCredentials({
      path: '/home/u/.docker/config.json',
      readFile: async () => JSON.stringify({ credsStore: 'desktop' }),
      onCredsStoreSkipped: (message) => notices.push(message),
    });

    await expect(lenient.resolve('ghcr.io')).resolves.toBeNull();
    expect(notices).toEqual([
      'The docker config /home/u/.docker/config.json has no "auths" entry for ghcr.io and sets credsStore "desktop", whose helper docker-credential-desktop registry-canary does not run: probing ghcr.io anonymously.',
    ]);
  });

  it('still fails for an empty entry when the caller would accept anonymous: docker login put the secret in the store', async () => {
    const notices: string[] = [];
    const lenient = dockerConfigCredentials({
      path: '/home/u/.docker/config.json',
      readFile: async () => JSON.stringify({ auths: { 'ghcr.io': {} }, credsStore: 'desktop' }),
      onCredsStoreSkipped: (message) => notices.push(message),
    });

    await expect(lenient.resolve('ghcr.io')).rejects.toThrow(/docker-credential-desktop/);
    expect(notices).toEqual([]);
  });

  it('gives no notice when the auths entry holds the credentials despite a credsStore', async () => {
    const notices: string[] = [];
    const lenient = dockerConfigCredentials({
      path: '/c.json',
      readFile: async () =>
        JSON.stringify({ auths: { 'ghcr.io': { auth: b64('u:p') } }, credsStore: 'desktop' }),
      onCredsStoreSkipped: (message) => notices.push(message),
    });

    await expect(lenient.resolve('ghcr.io')).resolves.toMatchObject({ username: 'u' });
    expect(notices).toEqual([]);
  });

  it('refuses a malformed auth without quoting it', async () => {
    const error = (await provider({ auths: { 'ghcr.io': { auth: b64('nocolonsecret') } } })
      .resolve('ghcr.io')
      .catch((e: unknown) => e)) as Error;

    expect(error).toMatchObject({ providerCode: 'InvalidDockerConfig' });
    expect(error.message).not.toContain('nocolonsecret');
    expect(error.message).not.toContain(b64('nocolonsecret'));
  });

  it('refuses a config that is not JSON without quoting it', async () => {
    const config = dockerConfigCredentials({
      path: '/c.json',
      readFile: async () => '{"auths": {"x": {"auth": "SECRETB64"',
    });

    const error = (await config.resolve('x').catch((e: unknown) => e)) as Error;

    expect(error.message).toBe('The docker config /c.json is not a JSON object.');
    expect(error.cause).toBeUndefined();
  });

  it('reports a missing file with its errno code', async () => {
    const missing = dockerConfigCredentials({
      path: '/nope/config.json',
      readFile: async () => {
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
      },
    });

    await expect(missing.resolve('ghcr.io')).rejects.toMatchObject({ providerCode: 'ENOENT' });
  });
});

describe('dockerConfigPath', () => {
  it('reads DOCKER_CONFIG like docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/etc/docker-cfg' }, '/home/u')).toBe(
      '/etc/docker-cfg/config.json',
    );
  });

  it('falls back to ~/.docker/config.json', () => {
    expect(dockerConfigPath({}, '/home/u')).toBe('/home/u/.docker/config.json');
  });
});
