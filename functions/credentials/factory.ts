/**
 * Builds the CredentialProvider for a target of the deployed config (the probe Lambda). Clients,
 * secrets and clock are passed in. The CLI's `--auth` flag is cli-auth.ts.
 */

import type { AwsClientFactories } from './aws-clients.ts';
import { ecrCredentials } from './ecr.ts';
import { ecrPublicCredentials } from './ecr-public.ts';
import { googleCredentials } from './google.ts';
import { basicFromSecret } from './secret-sources.ts';
import type { SecretReader } from './secrets.ts';
import type { CredentialSource } from './source.ts';
import { anonymous, type CredentialProvider } from './types.ts';

export interface CredentialDeps extends AwsClientFactories {
  secrets: SecretReader;
  /** @default Date.now */
  now?: () => number;
  /** For Google's token exchange. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The provider for a source of the deployed config (used by the probe Lambda). */
export function createCredentialProvider(source: CredentialSource, deps: CredentialDeps): CredentialProvider {
  switch (source.type) {
    case 'anonymous':
      return anonymous;
    case 'basic':
      return basicFromSecret(deps.secrets, source.secret);
    case 'ecr':
      return ecrCredentials({
        region: source.region,
        roleArn: source.roleArn,
        ecrClient: deps.ecrClient,
        stsClient: deps.stsClient,
        now: deps.now,
      });
    case 'ecr-public':
      return ecrPublicCredentials({
        authenticated: source.authenticated,
        ecrPublicClient: deps.ecrPublicClient,
        now: deps.now,
      });
    case 'google':
      return googleCredentials({
        readKey: () => deps.secrets.read(source.secret),
        keyLabel: `secret ${source.secret}`,
        mode: source.mode,
        fetch: deps.fetch,
      });
  }
}
