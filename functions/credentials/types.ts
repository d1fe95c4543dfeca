/**
 * How the probe obtains credentials. The engine knows only this interface; each source
 * (anonymous, basic, docker config.json, ECR, ECR Public, Google, Secrets Manager) implements it.
 */

/** What goes into a Basic header, or the identity token docker keeps for OAuth2 refresh flows. */
export type RegistryCredentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'identity-token'; identityToken: string };

export interface CredentialProvider {
  /** A short name for evidence and logs, e.g. "ecr", "docker-config". Never the secret. */
  readonly source: string;
  /**
   * Credentials for this registry host, or null for anonymous access.
   * Throws CredentialsUnavailableError when the source exists but cannot deliver (denied, missing, expired).
   */
  resolve(registryHost: string): Promise<RegistryCredentials | null>;
  /**
   * The credentials again, past any cache, after the registry called the last ones expired (ECR's
   * 403 "Your authorization token has expired"). Only sources that mint short-lived credentials
   * have it; for the others a second resolve would give the same refused password.
   */
  refresh?(registryHost: string): Promise<RegistryCredentials | null>;
}

/** A credential source that exists but could not deliver. Maps to the CREDENTIALS_UNAVAILABLE diagnosis. */
export class CredentialsUnavailableError extends Error {
  override readonly name = 'CredentialsUnavailableError';
  constructor(
    message: string,
    /** The source's own error code (e.g. AccessDeniedException, ResourceNotFoundException, invalid_grant). */
    readonly providerCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const anonymous: CredentialProvider = {
  source: 'anonymous',
  resolve: async () => null,
};

/** Username and password (or personal access token) given directly. */
export function basicCredentials(username: string, password: string): CredentialProvider {
  return {
    source: 'basic',
    resolve: async () => ({ kind: 'basic', username, password }),
  };
}
