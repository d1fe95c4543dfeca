/**
 * Builds the CredentialProvider for a target of the deployed config (the probe Lambda). Clients,
 * secrets and clock are passed in. The CLI's `--auth` flag is cli-auth.ts.
 *
 * The ECR, ECR Public and Google sources are loaded on first use (lazyProvider): their modules
 * import the ECR/STS clients and google-auth-library (with gaxios, node-fetch, bignumber.js: ~230
 * KiB), which the probe Lambda's bundle keeps in chunks of their own
 * (scripts/build-probe-lambda.mjs), so a region whose targets are anonymous or basic never parses
 * them at cold start. test/integration/bundle.test.ts pins that the entry chunk does not hold them.
 */

import type { AwsClientFactories } from './aws-clients.ts';
import { basicFromSecret } from './secret-sources.ts';
import type { SecretReader } from './secrets.ts';
import type { CredentialSource } from './source.ts';
import { anonymous, type CredentialProvider, type RegistryCredentials } from './types.ts';

export interface CredentialDeps extends Partial<AwsClientFactories> {
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
      return lazyProvider('ecr', { refreshes: true }, async () => {
        const [{ ecrCredentials }, aws] = await Promise.all([import('./ecr.ts'), awsFactories(deps)]);
        return ecrCredentials({
          region: source.region,
          roleArn: source.roleArn,
          ecrClient: aws.ecrClient,
          stsClient: aws.stsClient,
          now: deps.now,
        });
      });
    case 'ecr-public':
      return lazyProvider('ecr-public', { refreshes: false }, async () => {
        const [{ ecrPublicCredentials }, aws] = await Promise.all([
          import('./ecr-public.ts'),
          awsFactories(deps),
        ]);
        return ecrPublicCredentials({
          authenticated: source.authenticated,
          ecrPublicClient: aws.ecrPublicClient,
          now: deps.now,
        });
      });
    case 'google':
      return lazyProvider(
        source.mode === 'json-key' ? 'google-json-key' : 'google',
        { refreshes: false },
        async () => {
          const { googleCredentials } = await import('./google.ts');
          return googleCredentials({
            readKey: () => deps.secrets.read(source.secret),
            keyLabel: `secret ${source.secret}`,
            mode: source.mode,
            fetch: deps.fetch,
          });
        },
      );
  }
}

/** The clients passed in, or (the Lambda) the SDK's, loaded once per process on first need. */
function awsFactories(deps: CredentialDeps): Promise<AwsClientFactories> {
  if (deps.ecrClient && deps.stsClient && deps.ecrPublicClient) {
    return Promise.resolve({
      ecrClient: deps.ecrClient,
      stsClient: deps.stsClient,
      ecrPublicClient: deps.ecrPublicClient,
    });
  }
  sdkFactories ??= import('./aws-clients.ts').then((m) => m.awsClientFactories());
  return sdkFactories;
}
let sdkFactories: Promise<AwsClientFactories> | undefined;

/**
 * A provider whose implementation is imported on the first resolve and kept. `source` is known
 * up front (logs and evidence name it before any resolve), and so is whether it can `refresh`: the
 * registry client offers a re-login only to providers that have the method
 * (functions/credentials/types.ts), so the wrapper has it exactly when the real provider does.
 * A failed import is not kept: the next resolve tries again.
 */
export function lazyProvider(
  source: string,
  shape: { refreshes: boolean },
  load: () => Promise<CredentialProvider>,
): CredentialProvider {
  let loading: Promise<CredentialProvider> | undefined;
  const provider = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const lazy: CredentialProvider = {
    source,
    resolve: async (host) => (await provider()).resolve(host),
  };
  if (shape.refreshes) {
    lazy.refresh = async (host): Promise<RegistryCredentials | null> => {
      const real = await provider();
      return real.refresh ? real.refresh(host) : real.resolve(host);
    };
  }
  return lazy;
}
