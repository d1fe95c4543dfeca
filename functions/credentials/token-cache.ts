/**
 * A cache of short-lived registry credentials (ECR and ECR Public tokens), kept until shortly
 * before they expire. Concurrent callers share one request; failures are not cached.
 */
import { CredentialsUnavailableError, type RegistryCredentials } from './types.ts';

export interface CachedToken {
  credentials: RegistryCredentials;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly now: () => number,
    /** Renew this long before expiry, so that a token never expires in the middle of a probe. */
    private readonly renewBeforeMs: number,
  ) {}

  async get(key: string, fetch: () => Promise<CachedToken>): Promise<RegistryCredentials> {
    const cached = this.entries.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt - this.renewBeforeMs > this.now()) return token.credentials;
      if (this.entries.get(key) === cached) this.entries.delete(key);
    }
    // Another caller may have started a fresh request while this one waited.
    let pending = this.entries.get(key);
    if (!pending) {
      const started = fetch();
      pending = started;
      this.entries.set(key, started);
      started.catch(() => {
        if (this.entries.get(key) === started) this.entries.delete(key);
      });
    }
    return (await pending).credentials;
  }

  /** Drops the entry, so that the next get fetches: the registry refused its credentials as expired. */
  forget(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Decodes an AWS authorization token (ECR, ECR Public): base64 of `AWS:<password>`. The error
 * never quotes the token.
 */
export function decodeAwsAuthorizationToken(token: string, service: string): RegistryCredentials {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    throw new CredentialsUnavailableError(
      `${service} returned an authorization token that is not base64 of user:password.`,
      'MalformedAuthorizationToken',
    );
  }
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
