/**
 * Registry profiles, recognised from the host name. Each registry family logs in its own way and
 * fails in its own way; a profile carries what the rest of the tool needs to know about the family:
 * which extra hosts may receive credentials (token realms), whether pull rate limits apply, and the
 * pasteable next steps a human runs when a probe of that registry fails.
 */
import type { DiagnosisCode } from '../probe/codes.ts';

export type RegistryProfileName =
  | 'dockerhub'
  | 'ecr'
  | 'ecr-public'
  | 'gcr'
  | 'artifact-registry'
  | 'ghcr'
  | 'quay'
  | 'acr'
  | 'mirror-gcr'
  | 'generic';

export interface NextStepContext {
  /** Registry host (with port) as the probe used it, e.g. registry-1.docker.io. */
  registry: string;
  repository: string;
  /** Tag or digest. */
  reference: string;
}

export interface RegistryProfile {
  name: RegistryProfileName;
  displayName: string;
  /** Hosts besides the registry itself that are trusted to receive credentials (token realms). */
  trustedRealmHosts: readonly string[];
  /** Whether the registry enforces pull rate limits worth watching (RateLimit-* headers). */
  rateLimited: boolean;
  /** Registry-specific steps for a diagnosis, to be shown after the generic ones. Empty when none apply. */
  nextSteps(code: DiagnosisCode, ctx: NextStepContext): string[];
}

/** An ECR private registry host, split into its parts. */
export interface EcrHost {
  accountId: string;
  region: string;
  fips: boolean;
  dualStack: boolean;
}

// <acct>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]  and dual-stack <acct>.dkr-ecr[-fips].<region>.on.aws,
// in the China regions <acct>.dkr-ecr.<region>.on.amazonwebservices.com.cn
const ECR_HOST = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
const ECR_DUAL_STACK_HOST =
  /^(\d{12})\.dkr-ecr(-fips)?\.([a-z0-9-]+)\.on\.(?:aws|amazonwebservices\.com\.cn)$/;

/** Parses an ECR private registry host into account and region, or returns null for any other host. */
export function parseEcrHost(host: string): EcrHost | null {
  const name = hostnameOf(host);
  const classic = ECR_HOST.exec(name);
  if (classic) {
    return { accountId: classic[1]!, region: classic[3]!, fips: classic[2] !== undefined, dualStack: false };
  }
  const dual = ECR_DUAL_STACK_HOST.exec(name);
  if (dual) {
    return { accountId: dual[1]!, region: dual[3]!, fips: dual[2] !== undefined, dualStack: true };
  }
  return null;
}

/** Lower-cased host name without port, trailing dot or IPv6 brackets. */
function hostnameOf(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    return end === -1 ? name : name.slice(1, end);
  }
  const colon = name.lastIndexOf(':');
  if (colon !== -1 && name.indexOf(':') === colon) name = name.slice(0, colon);
  return name.replace(/\.$/, '');
}

function image(ctx: NextStepContext): string {
  const separator = ctx.reference.includes(':') ? '@' : ':';
  return `${ctx.registry}/${ctx.repository}${separator}${ctx.reference}`;
}

const DOCKER_HUB_HOSTS = new Set([
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
  'registry.hub.docker.com',
]);

const dockerhub: RegistryProfile = {
  name: 'dockerhub',
  displayName: 'Docker Hub',
  // The registry's challenge names auth.docker.io as its token realm; it is Docker's own service.
  trustedRealmHosts: ['auth.docker.io'],
  rateLimited: true,
  nextSteps(code, ctx) {
    switch (code) {
      case 'AUTH_REQUIRED':
      case 'AUTH_FAILED':
        return [
          'Create a Docker Hub personal access token with read-only scope: https://app.docker.com/settings/personal-access-tokens',
          'Log in with it: echo "$DOCKERHUB_TOKEN" | docker login --username <your Docker ID> --password-stdin',
          'A token that was revoked or expired is rejected like a wrong password: check the token list for it.',
        ];
      case 'DENIED':
      case 'NAME_UNKNOWN':
        return [
          `Check the repository exists and its visibility: https://hub.docker.com/r/${ctx.repository}`,
          'Official images live under library/, e.g. library/alpine: docker.io/alpine means docker.io/library/alpine.',
          'A private repository needs a Docker ID that is a member of the owning organisation or team.',
        ];
      case 'RATE_LIMITED':
        return [
          'Check the remaining pulls: the ratelimit-remaining header on a HEAD of a manifest does not count as a pull.',
          'Authenticate (a personal access token raises the limit per account instead of per IP address).',
          `Pull through Google's Docker Hub mirror for official images: docker pull mirror.gcr.io/${ctx.repository}:${ctx.reference}`,
          'Cache images in a pull-through cache (ECR pull-through cache rules or a registry mirror).',
        ];
      default:
        return [];
    }
  },
};

const ecr: RegistryProfile = {
  name: 'ecr',
  displayName: 'Amazon ECR',
  // ECR answers Basic on the registry host itself; no other host needs credentials.
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps(code, ctx) {
    const parsed = parseEcrHost(ctx.registry);
    const region = parsed?.region ?? '<region>';
    const account = parsed?.accountId ?? '<account>';
    const host = hostnameOf(ctx.registry);
    switch (code) {
      case 'AUTH_REQUIRED':
      case 'AUTH_FAILED':
      case 'CREDENTIALS_UNAVAILABLE':
        return [
          `Log in the way docker does: aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${host}`,
          `Check the caller may call ecr:GetAuthorizationToken: aws sts get-caller-identity && aws ecr get-authorization-token --region ${region} --query 'authorizationData[0].expiresAt'`,
          'ECR authorization tokens last 12 hours: a token cached longer than that is rejected.',
          `For a registry in another account (${account}), assume a role in that account or grant your account in the repository policy.`,
        ];
      case 'DENIED':
        return [
          `Read the repository policy: aws ecr get-repository-policy --region ${region} --registry-id ${account} --repository-name ${ctx.repository}`,
          'The pulling principal needs ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability (AmazonEC2ContainerRegistryReadOnly).',
          'A KMS-encrypted repository also needs kms:Decrypt on its key.',
        ];
      case 'NAME_UNKNOWN':
      case 'MANIFEST_UNKNOWN':
        return [
          `List the repository's images: aws ecr describe-images --region ${region} --registry-id ${account} --repository-name ${ctx.repository}`,
          `Check the lifecycle policy did not expire ${ctx.reference}: aws ecr get-lifecycle-policy --region ${region} --registry-id ${account} --repository-name ${ctx.repository}`,
        ];
      case 'RATE_LIMITED':
        return [
          'ECR throttles per account and region: check the ECR API request quotas in Service Quotas and spread probes over time.',
        ];
      default:
        return [];
    }
  },
};

const ecrPublic: RegistryProfile = {
  name: 'ecr-public',
  displayName: 'Amazon ECR Public',
  trustedRealmHosts: [],
  // ECR Public limits pulls per second (1/s anonymous, 10/s authenticated: Amazon ECR Public User
  // Guide, "Amazon ECR Public service quotas") and answers "429 toomanyrequests: Rate exceeded" past
  // it; it sends no RateLimit-* budget headers, so there is no budget to watch or alarm on.
  rateLimited: false,
  nextSteps(code, ctx) {
    switch (code) {
      case 'AUTH_FAILED':
      case 'CREDENTIALS_UNAVAILABLE':
        return [
          'Log in (ECR Public authenticates only in us-east-1): aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws',
          'Or log out and pull anonymously: docker logout public.ecr.aws',
        ];
      case 'RATE_LIMITED':
        return [
          'Anonymous pulls from ECR Public are limited per IP address; authenticated pulls have a higher limit.',
          'Authenticate: aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws',
        ];
      case 'NAME_UNKNOWN':
      case 'MANIFEST_UNKNOWN':
        return [`Check the repository in the gallery: https://gallery.ecr.aws/${ctx.repository}`];
      default:
        return [];
    }
  },
};

function googleSteps(
  host: string,
  ctx: NextStepContext,
  code: DiagnosisCode,
  artifactRegistry: boolean,
): string[] {
  const project = ctx.repository.split('/')[0] ?? '<project>';
  switch (code) {
    case 'AUTH_REQUIRED':
    case 'AUTH_FAILED':
    case 'CREDENTIALS_UNAVAILABLE':
      return [
        `Configure docker to use gcloud credentials: gcloud auth configure-docker ${host}`,
        'With a service-account key: cat key.json | docker login -u _json_key --password-stdin https://' +
          host,
        'Access tokens from gcloud auth print-access-token last about an hour; a service-account key may be disabled or deleted: gcloud iam service-accounts keys list --iam-account <service-account>',
      ];
    case 'DENIED':
      return artifactRegistry
        ? [
            `Grant read access: gcloud artifacts repositories add-iam-policy-binding ${ctx.repository.split('/')[1] ?? '<repository>'} --project ${project} --location ${host.replace(/-docker\.pkg\.dev$/, '')} --member serviceAccount:<service-account> --role roles/artifactregistry.reader`,
            'Check the Artifact Registry API is enabled in the project and no VPC Service Controls perimeter blocks the caller.',
          ]
        : [
            `Grant read access to the project's images (gcr.io is served by Artifact Registry): roles/artifactregistry.reader on project ${project}`,
            'Check the Artifact Registry API is enabled in the project and no VPC Service Controls perimeter blocks the caller.',
          ];
    case 'NAME_UNKNOWN':
    case 'MANIFEST_UNKNOWN':
      return [
        `List the images: gcloud artifacts docker images list ${host}/${ctx.repository} --include-tags`,
      ];
    default:
      return [];
  }
}

const gcr: RegistryProfile = {
  name: 'gcr',
  displayName: 'Google Container Registry (gcr.io)',
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps: (code, ctx) => googleSteps(hostnameOf(ctx.registry), ctx, code, false),
};

const artifactRegistry: RegistryProfile = {
  name: 'artifact-registry',
  displayName: 'Google Artifact Registry',
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps: (code, ctx) => googleSteps(hostnameOf(ctx.registry), ctx, code, true),
};

const mirrorGcr: RegistryProfile = {
  name: 'mirror-gcr',
  displayName: "Google's Docker Hub mirror (mirror.gcr.io)",
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps(code, ctx) {
    switch (code) {
      case 'NAME_UNKNOWN':
      case 'MANIFEST_UNKNOWN':
        return [
          'mirror.gcr.io caches only frequently pulled Docker Hub images; others are not there.',
          `Pull from Docker Hub instead: docker pull docker.io/${ctx.repository}:${ctx.reference}`,
        ];
      default:
        return [];
    }
  },
};

const ghcr: RegistryProfile = {
  name: 'ghcr',
  displayName: 'GitHub Container Registry',
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps(code, ctx) {
    const owner = ctx.repository.split('/')[0] ?? '<owner>';
    switch (code) {
      case 'AUTH_REQUIRED':
      case 'AUTH_FAILED':
        return [
          'Create a personal access token (classic) with the read:packages scope: https://github.com/settings/tokens',
          'Log in with it: echo "$GITHUB_TOKEN" | docker login ghcr.io --username <GitHub user> --password-stdin',
          `An organisation with SAML SSO must authorise the token for ${owner}.`,
        ];
      case 'DENIED':
      case 'NAME_UNKNOWN':
        return [
          `Check the package's visibility and who may read it: https://github.com/${owner}?tab=packages`,
          'A package is private by default after its first push; make it public or grant the reader access in its settings.',
        ];
      default:
        return [];
    }
  },
};

const quay: RegistryProfile = {
  name: 'quay',
  displayName: 'Quay.io',
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps(code, ctx) {
    switch (code) {
      case 'AUTH_REQUIRED':
      case 'AUTH_FAILED':
        return [
          'Use a robot account with read permission: docker login quay.io --username <org>+<robot> --password-stdin',
          `Check the repository's permissions: https://quay.io/repository/${ctx.repository}?tab=settings`,
        ];
      case 'DENIED':
      case 'NAME_UNKNOWN':
        return [
          `Check the repository exists and is public, or grant read to the robot account: https://quay.io/repository/${ctx.repository}`,
        ];
      default:
        return [];
    }
  },
};

const acr: RegistryProfile = {
  name: 'acr',
  displayName: 'Azure Container Registry',
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps(code, ctx) {
    const name = hostnameOf(ctx.registry).replace(/\.azurecr\.(io|cn|us)$/, '');
    switch (code) {
      case 'AUTH_REQUIRED':
      case 'AUTH_FAILED':
        return [
          `Log in: az acr login --name ${name}`,
          `Or with a token or service principal: docker login ${hostnameOf(ctx.registry)} --username <client id> --password-stdin`,
        ];
      case 'DENIED':
        return [
          `Grant pull rights: az role assignment create --assignee <principal> --role AcrPull --scope $(az acr show --name ${name} --query id -o tsv)`,
          `Check network rules do not block the caller: az acr network-rule list --name ${name}`,
        ];
      case 'NAME_UNKNOWN':
      case 'MANIFEST_UNKNOWN':
        return [`List the tags: az acr repository show-tags --name ${name} --repository ${ctx.repository}`];
      default:
        return [];
    }
  },
};

const generic: RegistryProfile = {
  name: 'generic',
  displayName: 'Private registry',
  trustedRealmHosts: [],
  rateLimited: false,
  nextSteps(code, ctx) {
    switch (code) {
      case 'AUTH_REQUIRED':
      case 'AUTH_FAILED':
        return [
          `Check the credentials work with docker: docker login ${ctx.registry} && docker pull ${image(ctx)}`,
        ];
      default:
        return [];
    }
  },
};

/** The profile of a registry host (with or without port). Unknown hosts get the generic profile. */
export function profileForHost(host: string): RegistryProfile {
  const name = hostnameOf(host);
  if (DOCKER_HUB_HOSTS.has(name)) return dockerhub;
  if (parseEcrHost(name)) return ecr;
  if (name === 'public.ecr.aws') return ecrPublic;
  if (name === 'mirror.gcr.io') return mirrorGcr;
  if (name === 'gcr.io' || name.endsWith('.gcr.io')) return gcr;
  if (/^[a-z0-9-]+-docker\.pkg\.dev$/.test(name)) return artifactRegistry;
  if (name === 'ghcr.io') return ghcr;
  if (name === 'quay.io') return quay;
  if (/^[a-z0-9-]+\.azurecr\.(io|cn|us)$/.test(name)) return acr;
  return generic;
}
