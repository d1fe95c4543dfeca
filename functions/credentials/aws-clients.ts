/**
 * The AWS SDK clients the ECR and ECR Public providers use. A module of its own so that the CLI
 * loads the SDK (~300 ms of its start-up) only when `--auth ecr` or `ecr-public` asks for it.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECRPUBLICClient } from '@aws-sdk/client-ecr-public';
import { STSClient } from '@aws-sdk/client-sts';
import type { EcrClientOptions } from './ecr.ts';

/** The AWS clients the ECR and ECR Public providers need, per region. */
export interface AwsClientFactories {
  ecrClient: (region: string, options: EcrClientOptions) => ECRClient;
  stsClient: (region: string) => STSClient;
  ecrPublicClient: (region: string) => ECRPUBLICClient;
}

/**
 * SDK clients created on first use and reused per region and endpoint variant (a warm Lambda keeps
 * them). A client for assumed-role credentials is not reused: those credentials expire.
 */
export function awsClientFactories(): AwsClientFactories {
  const ecr = new Map<string, ECRClient>();
  const sts = new Map<string, STSClient>();
  const ecrPublic = new Map<string, ECRPUBLICClient>();
  const memo = <T>(map: Map<string, T>, region: string, create: () => T): T => {
    let client = map.get(region);
    if (!client) {
      client = create();
      map.set(region, client);
    }
    return client;
  };
  return {
    ecrClient: (region, { credentials, useFipsEndpoint, useDualstackEndpoint }) => {
      const config = { region, useFipsEndpoint, useDualstackEndpoint };
      if (credentials) return new ECRClient({ ...config, credentials });
      return memo(ecr, `${region}|${useFipsEndpoint}|${useDualstackEndpoint}`, () => new ECRClient(config));
    },
    stsClient: (region) => memo(sts, region, () => new STSClient({ region })),
    ecrPublicClient: (region) => memo(ecrPublic, region, () => new ECRPUBLICClient({ region })),
  };
}
