/**
 * Google Container Registry and Artifact Registry with a service-account JSON key, either sent as
 * is (user `_json_key`) or exchanged with google-auth-library for an OAuth access token (user
 * `oauth2accesstoken`), the way `gcloud auth configure-docker` logs in. Public images need no
 * provider: the engine fetches an anonymous token from the challenge's realm.
 */
import { createHash } from 'node:crypto';
import { JWT } from 'google-auth-library';
import { parseJsonWithoutEcho } from './secret-sources.ts';
import { type CredentialProvider, CredentialsUnavailableError } from './types.ts';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

export interface GoogleProviderOptions {
  /** The service-account JSON key, e.g. from Secrets Manager or a file. Read on every resolve (cache it there). */
  readKey: () => Promise<string>;
  /** Where the key came from, for messages (a secret id or a file path). Never the key. */
  keyLabel: string;
  mode: 'json-key' | 'access-token';
  /** The fetch used for the token exchange. @default globalThis.fetch */
  fetch?: typeof fetch;
}

export function googleCredentials(options: GoogleProviderOptions): CredentialProvider {
  // One JWT client per key: it caches the access token and refreshes it shortly before expiry.
  const clients = new Map<string, JWT>();

  return {
    source: options.mode === 'json-key' ? 'google-json-key' : 'google',
    async resolve() {
      const text = await options.readKey();
      const key = parseServiceAccountKey(text, options.keyLabel);
      if (options.mode === 'json-key') return { kind: 'basic', username: '_json_key', password: text };

      const id = createHash('sha256').update(text).digest('hex');
      let client = clients.get(id);
      if (!client) {
        client = jwtClient(key, options.fetch ?? fetch, options.keyLabel);
        clients.set(id, client);
      }
      const token = await accessToken(client, key);
      return { kind: 'basic', username: 'oauth2accesstoken', password: token };
    },
  };
}

/** Validates a service-account key without ever quoting it. */
export function parseServiceAccountKey(text: string, keyLabel: string): ServiceAccountKey {
  const parsed = parseJsonWithoutEcho(text) as Partial<ServiceAccountKey> | undefined;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    parsed.type !== 'service_account' ||
    typeof parsed.client_email !== 'string' ||
    typeof parsed.private_key !== 'string'
  ) {
    throw new CredentialsUnavailableError(
      `The Google key ${keyLabel} is not a service-account JSON key (type "service_account" with client_email and private_key).`,
      'InvalidServiceAccountKey',
    );
  }
  return parsed as ServiceAccountKey;
}

function jwtClient(key: ServiceAccountKey, baseFetch: typeof fetch, keyLabel: string): JWT {
  const tokenUrl = tokenEndpoint(key, keyLabel);
  // google-auth-library always posts to oauth2.googleapis.com; honour the key's own token_uri
  // (other universes, and the local endpoint of the integration tests) by redirecting that one URL.
  const redirectingFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return baseFetch(url === GOOGLE_TOKEN_URL ? tokenUrl : input, init);
  };
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    scopes: [CLOUD_PLATFORM_SCOPE],
    transporterOptions: { fetchImplementation: redirectingFetch },
  });
}

/**
 * The key's token_uri. The signed assertion sent there can be exchanged for an access token for an
 * hour, so it goes only over HTTPS (plain HTTP only to loopback, for local test endpoints).
 */
function tokenEndpoint(key: ServiceAccountKey, keyLabel: string): string {
  if (!key.token_uri) return GOOGLE_TOKEN_URL;
  let url: URL;
  try {
    url = new URL(key.token_uri);
  } catch {
    throw new CredentialsUnavailableError(
      `The Google key ${keyLabel} has a token_uri that is not a URL.`,
      'InvalidTokenUri',
    );
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new CredentialsUnavailableError(
      `The Google key ${keyLabel} has a token_uri on ${url.protocol}//${url.host}; only HTTPS (or HTTP to loopback) is used.`,
      'InvalidTokenUri',
    );
  }
  return url.href;
}

async function accessToken(client: JWT, key: ServiceAccountKey): Promise<string> {
  try {
    const { token } = await client.getAccessToken();
    if (token) return token;
  } catch (error) {
    const { code, description } = googleError(error);
    // No cause kept: the library's error holds the request, whose body is the signed assertion.
    throw new CredentialsUnavailableError(
      `Exchanging the key of ${key.client_email} for a Google access token failed: ${code}${description ? ` (${description})` : ''}.`,
      code,
    );
  }
  throw new CredentialsUnavailableError(
    `Google's token endpoint returned no access token for ${key.client_email}.`,
    'EmptyAccessToken',
  );
}

/** The OAuth error code (invalid_grant, unauthorized_client, ...) and a short description. */
function googleError(error: unknown): { code: string; description: string | undefined } {
  const e = error as { response?: { data?: unknown; status?: number }; code?: unknown; name?: unknown };
  const data = e?.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const code =
    (typeof data?.error === 'string' && /^[\w.-]{1,64}$/.test(data.error) && data.error) ||
    (typeof e?.code === 'string' && e.code) ||
    (e?.response?.status ? `HTTP ${e.response.status}` : undefined) ||
    (typeof e?.name === 'string' ? e.name : 'unknown error');
  // Only a short, plain description: a hostile endpoint could echo the assertion back.
  const description =
    typeof data?.error_description === 'string' && data.error_description.length <= 200
      ? data.error_description
      : undefined;
  return { code, description };
}
