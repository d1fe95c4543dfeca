/**
 * Credential providers whose secret lives in a SecretReader (Secrets Manager in the Lambda).
 */
import type { SecretReader } from './secrets.ts';
import { type CredentialProvider, CredentialsUnavailableError } from './types.ts';

/** Basic credentials from a secret whose value is JSON {"username": "...", "password": "..."}. */
export function basicFromSecret(secrets: SecretReader, secretId: string): CredentialProvider {
  return {
    source: 'basic',
    async resolve() {
      const text = await secrets.read(secretId);
      const parsed = parseJsonWithoutEcho(text);
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        typeof (parsed as Record<string, unknown>)['username'] === 'string' &&
        typeof (parsed as Record<string, unknown>)['password'] === 'string'
      ) {
        const { username, password } = parsed as { username: string; password: string };
        return { kind: 'basic', username, password };
      }
      throw new CredentialsUnavailableError(
        `The secret ${secretId} is not JSON of the form {"username": "...", "password": "..."}.`,
        'InvalidSecretFormat',
      );
    },
  };
}

/**
 * JSON.parse without its error: Node's SyntaxError quotes the start of the text, which here is a
 * secret. So a parse failure gives undefined, and no cause is kept.
 */
export function parseJsonWithoutEcho(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
