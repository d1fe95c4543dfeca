import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { basicFromSecret } from '../../../functions/credentials/secret-sources.ts';
import { secretArnRegion, secretsManagerReader } from '../../../functions/credentials/secrets.ts';
import { CredentialsUnavailableError } from '../../../functions/credentials/types.ts';

const sm = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry/ghcr-AbCdEf';

function awsError(name: string): Error {
  return Object.assign(new Error(`${name}: not allowed`), { name, $metadata: {} });
}

describe('secretsManagerReader', () => {
  let now = 0;
  const reader = () =>
    secretsManagerReader({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      ttlMs: 60_000,
      now: () => now,
    });

  beforeEach(() => {
    sm.reset();
    now = 1_000_000;
  });

  it('reads the secret by its ARN', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'value-1' });

    await expect(reader().read(SECRET_ARN)).resolves.toBe('value-1');

    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  it('reuses the value while warm and reads it again after the TTL', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'old' }).resolves({ SecretString: 'rotated' });
    const secrets = reader();

    await secrets.read('registry/ghcr');
    now += 59_000;
    await expect(secrets.read('registry/ghcr')).resolves.toBe('old');
    now += 2_000;
    await expect(secrets.read('registry/ghcr')).resolves.toBe('rotated');

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('makes one call for concurrent reads of one secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'v' });
    const secrets = reader();

    await Promise.all([secrets.read('a'), secrets.read('a'), secrets.read('a')]);

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('decodes a binary secret as UTF-8', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode('{"a":1}') });

    await expect(reader().read('bin')).resolves.toBe('{"a":1}');
  });

  it.each(['ResourceNotFoundException', 'AccessDeniedException', 'ThrottlingException', 'DecryptionFailure'])(
    'turns %s into CredentialsUnavailableError with that code',
    async (name) => {
      sm.on(GetSecretValueCommand).rejects(awsError(name));

      const error = await reader()
        .read('registry/x')
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CredentialsUnavailableError);
      expect(error).toMatchObject({ providerCode: name });
      expect((error as Error).message).toBe(
        `Reading the secret registry/x from Secrets Manager failed: ${name}.`,
      );
      expect((error as Error).cause).toBeInstanceOf(Error);
    },
  );

  it('does not cache a failure', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ SecretString: 'ok' });
    const secrets = reader();

    await expect(secrets.read('s')).rejects.toThrow(CredentialsUnavailableError);
    await expect(secrets.read('s')).resolves.toBe('ok');
  });
});

describe('basicFromSecret', () => {
  const fixed = (value: string) => ({ read: async () => value });

  it('gives basic credentials from {"username","password"}', async () => {
    const provider = basicFromSecret(fixed('{"username":"robot","password":"pa55"}'), 'registry/x');

    await expect(provider.resolve('ghcr.io')).resolves.toEqual({
      kind: 'basic',
      username: 'robot',
      password: 'pa55',
    });
  });

  it('refuses a secret that is not JSON without quoting it', async () => {
    const error = await basicFromSecret(fixed('hunter2-not-json'), 'registry/x')
      .resolve('ghcr.io')
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'CredentialsUnavailableError', providerCode: 'InvalidSecretFormat' });
    expect(JSON.stringify(error) + String(error) + String((error as Error).cause)).not.toContain('hunter2');
  });

  it('refuses JSON without a password', async () => {
    await expect(basicFromSecret(fixed('{"username":"u"}'), 's').resolve('h')).rejects.toThrow(
      'The secret s is not JSON of the form {"username": "...", "password": "..."}.',
    );
  });
});

describe('secretsManagerReader across regions', () => {
  const US_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry/ghcr-AbCdEf';
  const US_ARN_2 = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry/quay-GhIjKl';
  const EU_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry/acr-MnOpQr';
  let made: string[] = [];
  const reader = (options: { region?: string } = { region: 'eu-west-1' }) =>
    secretsManagerReader({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      ...options,
      clientForRegion: (region) => {
        made.push(region);
        return new SecretsManagerClient({ region });
      },
    });
  /** The region of the client that sent the n-th GetSecretValue. */
  const senderRegion = (n: number): Promise<string> =>
    (sm.send.getCall(n).thisValue as SecretsManagerClient).config.region();

  beforeEach(() => {
    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'v' });
    made = [];
  });

  it("reads an ARN of another region with a client in the ARN's region", async () => {
    await reader().read(US_ARN);

    expect(made).toEqual(['us-east-1']);
    expect(await senderRegion(0)).toBe('us-east-1');
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: US_ARN });
  });

  it('creates the client of a region once and keeps it for every secret there', async () => {
    const secrets = reader();

    await Promise.all([secrets.read(US_ARN), secrets.read(US_ARN_2)]);
    await secrets.read(US_ARN_2);

    expect(made).toEqual(['us-east-1']);
    expect(sm.send.getCall(0).thisValue).toBe(sm.send.getCall(1).thisValue);
  });

  it('reads names and ARNs of its own region with the given client, creating none', async () => {
    const secrets = reader();

    await secrets.read('registry/by-name');
    await secrets.read(EU_ARN);

    expect(made).toEqual([]);
    expect([await senderRegion(0), await senderRegion(1)]).toEqual(['eu-west-1', 'eu-west-1']);
  });

  it('uses the given client for everything when it is not told its region', async () => {
    await reader({}).read(US_ARN);

    expect(made).toEqual([]);
    expect(await senderRegion(0)).toBe('eu-west-1');
  });

  it('creates a real client in the ARN region by default', async () => {
    const secrets = secretsManagerReader({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      region: 'eu-west-1',
    });

    await secrets.read(US_ARN);

    expect(await senderRegion(0)).toBe('us-east-1');
  });
});

describe('secretArnRegion', () => {
  it.each([
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf', 'us-east-1'],
    ['arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a-AbCdEf', 'cn-north-1'],
    ['arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:a', 'us-gov-west-1'],
    ['registry/ghcr', null],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/a', null],
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:', null],
  ])('reads the region of %s as %s', (id, region) => {
    expect(secretArnRegion(id)).toBe(region);
  });
});
