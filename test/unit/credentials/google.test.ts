import { createVerify, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { googleCredentials } from '../../../functions/credentials/google.ts';

let privateKeyPem = '';
let publicKeyPem = '';

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
});

function serviceAccountKey(extra: Record<string, string> = {}): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'canary-project',
    private_key_id: 'abc123',
    private_key: privateKeyPem,
    client_email: 'puller@canary-project.iam.gserviceaccount.com',
    ...extra,
  });
}

interface TokenRequest {
  url: string;
  assertion: string;
}

/** A fetch that plays Google's token endpoint: it checks the signed assertion and answers with a token. */
function tokenEndpoint(reply: { status: number; body: unknown }, requests: TokenRequest[]): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = new URLSearchParams(String(init?.body));
    requests.push({ url, assertion: body.get('assertion') ?? '' });
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

function verifyAssertion(assertion: string): Record<string, unknown> {
  const [header, payload, signature] = assertion.split('.');
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  expect(verifier.verify(publicKeyPem, Buffer.from(signature!, 'base64url'))).toBe(true);
  return JSON.parse(Buffer.from(payload!, 'base64url').toString());
}

describe('googleCredentials', () => {
  it('sends the key itself as _json_key', async () => {
    const key = serviceAccountKey();
    const provider = googleCredentials({ readKey: async () => key, keyLabel: 'k', mode: 'json-key' });

    await expect(provider.resolve('europe-docker.pkg.dev')).resolves.toEqual({
      kind: 'basic',
      username: '_json_key',
      password: key,
    });
  });

  it('exchanges a signed assertion for an access token and sends it as oauth2accesstoken', async () => {
    const requests: TokenRequest[] = [];
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey(),
      keyLabel: 'k',
      mode: 'access-token',
      fetch: tokenEndpoint(
        { status: 200, body: { access_token: 'ya29.test-token', expires_in: 3599, token_type: 'Bearer' } },
        requests,
      ),
    });

    const credentials = await provider.resolve('gcr.io');

    expect(credentials).toEqual({
      kind: 'basic',
      username: 'oauth2accesstoken',
      password: 'ya29.test-token',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe('https://oauth2.googleapis.com/token');
    expect(verifyAssertion(requests[0]!.assertion)).toMatchObject({
      iss: 'puller@canary-project.iam.gserviceaccount.com',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
    });
  });

  it('reuses the access token until it nears expiry', async () => {
    const requests: TokenRequest[] = [];
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey(),
      keyLabel: 'k',
      mode: 'access-token',
      fetch: tokenEndpoint({ status: 200, body: { access_token: 'ya29.a', expires_in: 3599 } }, requests),
    });

    await provider.resolve('gcr.io');
    await provider.resolve('gcr.io');

    expect(requests).toHaveLength(1);
  });

  it("posts to the key's own token_uri", async () => {
    const requests: TokenRequest[] = [];
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey({ token_uri: 'http://127.0.0.1:9/token' }),
      keyLabel: 'k',
      mode: 'access-token',
      fetch: tokenEndpoint({ status: 200, body: { access_token: 'ya29.local', expires_in: 3599 } }, requests),
    });

    await provider.resolve('gcr.io');

    expect(requests[0]!.url).toBe('http://127.0.0.1:9/token');
  });

  it('refuses a plain-HTTP token_uri off loopback: the assertion would travel in clear', async () => {
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey({ token_uri: 'http://tokens.example.com/token' }),
      keyLabel: 'k',
      mode: 'access-token',
      fetch: async () => {
        throw new Error('must not be called');
      },
    });

    await expect(provider.resolve('gcr.io')).rejects.toMatchObject({ providerCode: 'InvalidTokenUri' });
  });

  it('reports invalid_grant with the Google error code', async () => {
    const requests: TokenRequest[] = [];
    const provider = googleCredentials({
      readKey: async () => serviceAccountKey(),
      keyLabel: 'secret registry/gcr',
      mode: 'access-token',
      fetch: tokenEndpoint(
        { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } },
        requests,
      ),
    });

    const error = (await provider.resolve('gcr.io').catch((e: unknown) => e)) as Error & {
      providerCode: string;
    };

    expect(error.name).toBe('CredentialsUnavailableError');
    expect(error.providerCode).toBe('invalid_grant');
    expect(error.message).toBe(
      'Exchanging the key of puller@canary-project.iam.gserviceaccount.com for a Google access token failed: invalid_grant (Invalid JWT Signature.).',
    );
    expect(error.cause).toBeUndefined();
  });

  it('refuses a key that is not a service-account key without quoting it', async () => {
    const provider = googleCredentials({
      readKey: async () => '{"private_key":"SECRET-PEM"',
      keyLabel: 'k',
      mode: 'json-key',
    });

    const error = (await provider.resolve('gcr.io').catch((e: unknown) => e)) as Error;

    expect(error).toMatchObject({ providerCode: 'InvalidServiceAccountKey' });
    expect(`${error.message}${String(error.cause)}`).not.toContain('SECRET-PEM');
  });
});
