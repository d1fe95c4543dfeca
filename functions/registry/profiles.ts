/**
 * The registry dialect table: one record per registry family. A record says how to recognise the
 * family (host patterns; self-hosted families are chosen by a target's `profile` or `--profile`),
 * which extra hosts may receive credentials (token realms), whether pull rate limits apply and
 * with which headers, the answers the family gives for each condition (rules, each citing the
 * capture it was written from), and the pasteable next steps a human runs when a probe of that
 * registry fails. Adding a family is one record here and one test.
 *
 * Next steps are keyed by diagnosis code as plain strings, so this layer needs nothing from the
 * probe layer; test/unit/probe/codes.test.ts checks every key is a real code.
 */
import type { DialectRule, Explanation, LoginState, RegistryAnswer } from './dialect.ts';
import { explainAnswer } from './dialect.ts';

export const PROFILE_NAMES = [
  'dockerhub',
  'ecr',
  'ecr-public',
  'gcr',
  'artifact-registry',
  'registry-k8s',
  'mirror-gcr',
  'ghcr',
  'quay',
  'acr',
  'harbor',
  'gitlab',
  'artifactory',
  'nexus',
  'generic',
] as const;

export type RegistryProfileName = (typeof PROFILE_NAMES)[number];

/** How the tool was run, so that next steps can be pasted as they are. */
export interface Invocation {
  /** `npx registry-canary` or `registry-canary`. */
  command: string;
  /** The failing run's flags that change what a probe does, e.g. ['--plain-http', '--ca-file ca.pem']. */
  flags: readonly string[];
}

export interface NextStepContext {
  /** Registry host (with port) as the probe used it, e.g. registry-1.docker.io. */
  registry: string;
  repository: string;
  /** Tag or digest. */
  reference: string;
  /** How the failing run was invoked; absent, steps say `registry-canary` with no flags. */
  invocation?: Invocation;
  /** Whether the probe talked plain HTTP to the registry. @default false */
  plainHttp?: boolean;
}

type Steps = (ctx: NextStepContext) => string[];

export interface RateLimitBehaviour {
  /** Whether the registry enforces pull rate limits worth watching and alarming on. */
  limited: boolean;
  /** The response headers that carry the budget, when the registry sends any. */
  headers: readonly string[];
  /** Where the behaviour is documented. */
  source: string;
}

export interface RegistryProfile {
  name: RegistryProfileName;
  displayName: string;
  /** Whether the host name identifies this family (else it is chosen by `profile` only). */
  recognisedByHost: boolean;
  /** Hosts besides the registry itself that are trusted to receive credentials (token realms). */
  trustedRealmHosts: readonly string[];
  rateLimit: RateLimitBehaviour;
  /** Whether the registry enforces pull rate limits worth watching (RateLimit-* headers). */
  rateLimited: boolean;
  /** The family's own answers, checked before the rules every family shares (dialect.ts). */
  rules: readonly DialectRule[];
  /** Registry-specific steps per diagnosis code, shown after the generic ones. */
  steps: Readonly<Partial<Record<string, Steps>>>;
  /** Codes whose generic steps would mislead on this registry: the family's steps replace them. */
  ownsSteps: readonly string[];
  /** The steps for a diagnosis code; empty when none apply. */
  nextSteps(code: string, ctx: NextStepContext): string[];
  /** What a refused answer means in this family's dialect, or null when no rule knows it. */
  explain(answer: RegistryAnswer, login: LoginState | null): Explanation | null;
}

type ProfileRecord = Omit<RegistryProfile, 'nextSteps' | 'explain' | 'rateLimited'> & {
  /** Whether `host` belongs to this family. */
  matchesHost(host: string): boolean;
};

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

/** scheme://host[:port] of the registry as the probe reached it. */
function origin(ctx: NextStepContext): string {
  return `${ctx.plainHttp ? 'http' : 'https'}://${ctx.registry}`;
}

/** The probe again, as the failing run was invoked (its command and flags), for pasting. */
export function probeAgain(ctx: NextStepContext, extraFlags: readonly string[] = []): string {
  const command = ctx.invocation?.command ?? 'registry-canary';
  const flags = [...(ctx.invocation?.flags ?? []), ...extraFlags];
  // The command a reader pastes must reach the registry the way the probe did, even when the
  // invocation was not recorded (a library caller of probeImage).
  if (ctx.plainHttp && !flags.includes('--plain-http')) flags.push('--plain-http');
  return [command, 'probe', image(ctx), ...flags].join(' ');
}

/** The same steps for several codes. */
function sameSteps(codes: readonly string[], steps: Steps): Record<string, Steps> {
  return Object.fromEntries(codes.map((code) => [code, steps]));
}

const DOCKER_HUB_HOSTS = new Set([
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
  'registry.hub.docker.com',
]);

const NO_RATE_LIMIT_HEADERS: readonly string[] = [];

const dockerhub: ProfileRecord = {
  name: 'dockerhub',
  displayName: 'Docker Hub',
  recognisedByHost: true,
  matchesHost: (host) => DOCKER_HUB_HOSTS.has(host),
  // The registry's challenge names auth.docker.io as its token realm; it is Docker's own service.
  trustedRealmHosts: ['auth.docker.io'],
  rateLimit: {
    limited: true,
    headers: ['ratelimit-limit', 'ratelimit-remaining', 'docker-ratelimit-source'],
    source: 'https://docs.docker.com/docker-hub/usage/pulls/',
  },
  // The token service grants a pull token for any name; the registry then answers 401 UNAUTHORIZED
  // with error="insufficient_scope" for a repository that does not exist or is private
  // (docker-archive/docker-registry#1071, docker/hub-feedback#1771). COMMON_RULES read both signs.
  rules: [],
  ownsSteps: [],
  steps: {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED'], () => [
      'Create a Docker Hub personal access token with read-only scope: https://app.docker.com/settings/personal-access-tokens',
      'Log in with it: echo "$DOCKERHUB_TOKEN" | docker login --username <your Docker ID> --password-stdin',
      'A token that was revoked or expired is rejected like a wrong password: check the token list for it.',
    ]),
    ...sameSteps(['DENIED', 'NAME_UNKNOWN'], (ctx) => [
      `Check the repository exists and its visibility: https://hub.docker.com/r/${ctx.repository}`,
      'Official images live under library/, e.g. library/alpine: docker.io/alpine means docker.io/library/alpine.',
      'A private repository needs a Docker ID that is a member of the owning organisation or team.',
    ]),
    RATE_LIMITED: (ctx) => [
      'Check the remaining pulls: the ratelimit-remaining header on a HEAD of a manifest does not count as a pull.',
      'Authenticate (a personal access token raises the limit per account instead of per IP address).',
      `Pull through Google's Docker Hub mirror for official images: docker pull mirror.gcr.io/${ctx.repository}:${ctx.reference}`,
      'Cache images in a pull-through cache (ECR pull-through cache rules or a registry mirror).',
    ],
  },
};

function ecrParts(ctx: NextStepContext): { region: string; account: string; host: string } {
  const parsed = parseEcrHost(ctx.registry);
  return {
    region: parsed?.region ?? '<region>',
    account: parsed?.accountId ?? '<account>',
    host: hostnameOf(ctx.registry),
  };
}

const ecrLogin: Steps = (ctx) => {
  const { region, account, host } = ecrParts(ctx);
  return [
    // Never an interactive `docker login` first: ECR's password is a 12-hour token from the API.
    `Probe with the ECR credential chain: ${probeAgain({ ...ctx, invocation: withoutAuth(ctx.invocation) }, ['--auth ecr'])}`,
    `Or log in the way docker does: aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${host}`,
    `Check the caller may call ecr:GetAuthorizationToken: aws sts get-caller-identity && aws ecr get-authorization-token --region ${region} --query 'authorizationData[0].expiresAt'`,
    'ECR authorization tokens last 12 hours: a token cached longer than that (in config.json, a secret) is refused as expired.',
    `For a registry in another account (${account}), assume a role in that account or grant your account in the repository policy.`,
  ];
};

/** The invocation without its --auth flag, for a step that names its own. */
function withoutAuth(invocation: Invocation | undefined): Invocation | undefined {
  if (!invocation) return undefined;
  return { ...invocation, flags: invocation.flags.filter((f) => !f.startsWith('--auth')) };
}

const ecr: ProfileRecord = {
  name: 'ecr',
  displayName: 'Amazon ECR',
  recognisedByHost: true,
  matchesHost: (host) => parseEcrHost(host) !== null,
  // ECR answers Basic on the registry host itself; no other host needs credentials.
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html',
  },
  rules: [
    {
      // "response status code 403: denied: Your authorization token has expired. Reauthenticate
      // and try again." (flipt-io/flipt#3043): a 403 with no challenge, so clients that only
      // re-login on 401 never recover.
      meaning: 'token-expired',
      status: [403],
      code: 'DENIED',
      message: /authorization token has expired/i,
      source: 'https://github.com/flipt-io/flipt/issues/3043',
    },
    {
      // "denied: User: arn:aws:iam::123456789:user/deploy is not authorized to perform:
      // ecr:InitiateLayerUpload on resource: arn:aws:ecr:..." (fixdevs.com, AWS ECR authentication).
      meaning: 'denied',
      status: [403],
      code: 'DENIED',
      message: /is not authorized to perform/i,
      source: 'https://www.fixdevs.com/blog/aws-ecr-authentication-failed/',
    },
  ],
  // Login steps that fit the registry replace the generic `docker login` (an interactive prompt for a token that only an API call yields).
  ownsSteps: ['AUTH_REQUIRED', 'AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'],
  steps: {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'], ecrLogin),
    DENIED: (ctx) => {
      const { region, account } = ecrParts(ctx);
      return [
        `Read the repository policy: aws ecr get-repository-policy --region ${region} --registry-id ${account} --repository-name ${ctx.repository}`,
        'The pulling principal needs ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability (AmazonEC2ContainerRegistryReadOnly).',
        'A KMS-encrypted repository also needs kms:Decrypt on its key.',
      ];
    },
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => {
      const { region, account } = ecrParts(ctx);
      return [
        `List the repository's images: aws ecr describe-images --region ${region} --registry-id ${account} --repository-name ${ctx.repository}`,
        `Check the lifecycle policy did not expire ${ctx.reference}: aws ecr get-lifecycle-policy --region ${region} --registry-id ${account} --repository-name ${ctx.repository}`,
      ];
    }),
    RATE_LIMITED: () => [
      'ECR throttles per account and region: check the ECR API request quotas in Service Quotas and spread probes over time.',
    ],
  },
};

const ECR_PUBLIC_LOGIN =
  'aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws';

const ecrPublic: ProfileRecord = {
  name: 'ecr-public',
  displayName: 'Amazon ECR Public',
  recognisedByHost: true,
  matchesHost: (host) => host === 'public.ecr.aws',
  // The realm is https://public.ecr.aws/token/, the registry host itself (fluxcd/flux#3492).
  trustedRealmHosts: [],
  // ECR Public limits pulls per second (1/s anonymous, 10/s authenticated: Amazon ECR Public User
  // Guide, "Amazon ECR Public service quotas") and answers "429 toomanyrequests: Rate exceeded" past
  // it; it sends no RateLimit-* budget headers, so there is no budget to watch or alarm on.
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/public/public-service-quotas.html',
  },
  rules: [
    {
      // An expired or invalid bearer token gets 400 {"errors":[{"message":"Your Authorization
      // Token is invalid.","code":"DENIED"}]} and no challenge (apple/container#847;
      // lablup/backend.ai#2549 shows the headers; aws/containers-roadmap#2835 asks AWS for a 401).
      meaning: 'token-invalid',
      status: [400],
      code: 'DENIED',
      message: /authorization token is invalid/i,
      source: 'https://github.com/apple/container/issues/847',
    },
  ],
  // Login steps that fit the registry replace the generic `docker login` (an interactive prompt for a token that only an API call yields).
  ownsSteps: ['AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'],
  steps: {
    ...sameSteps(['AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'], () => [
      `Log in (ECR Public authenticates only in us-east-1): ${ECR_PUBLIC_LOGIN}`,
      'Or log out and pull anonymously (a stale public.ecr.aws entry in config.json is sent and refused): docker logout public.ecr.aws',
    ]),
    RATE_LIMITED: () => [
      'Anonymous pulls from ECR Public are limited per IP address; authenticated pulls have a higher limit.',
      `Authenticate: ${ECR_PUBLIC_LOGIN}`,
    ],
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
      `Check the repository in the gallery: https://gallery.ecr.aws/${ctx.repository}`,
    ]),
  },
};

/**
 * Artifact Registry (and gcr.io, which it serves) answers a missing repository and a missing
 * permission alike: 'Permission "artifactregistry.repositories.downloadArtifacts" denied on
 * resource "projects/P/locations/L/repositories/R" (or it may not exist)'
 * (terraform-google-modules/terraform-google-kubernetes-engine#1779), and anonymously
 * 'Unauthenticated requests do not have permission ...' (google/fuzzbench#1981).
 */
const GOOGLE_RULES: readonly DialectRule[] = [
  {
    meaning: 'missing-or-not-visible',
    status: [403],
    code: 'DENIED',
    message: /denied on resource .*\(or it may not exist\)|unauthenticated requests do not have permission/i,
    source: 'https://github.com/terraform-google-modules/terraform-google-kubernetes-engine/issues/1779',
  },
];

const GOOGLE_RATE_LIMIT: RateLimitBehaviour = {
  limited: false,
  headers: NO_RATE_LIMIT_HEADERS,
  source: 'https://cloud.google.com/artifact-registry/quotas',
};

function googleSteps(artifactRegistry: boolean): ProfileRecord['steps'] {
  return {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'], (ctx) => {
      const host = hostnameOf(ctx.registry);
      return [
        `Configure docker to use gcloud credentials: gcloud auth configure-docker ${host}`,
        `With a service-account key: cat key.json | docker login -u _json_key --password-stdin https://${host}`,
        'Access tokens from gcloud auth print-access-token last about an hour; a service-account key may be disabled or deleted: gcloud iam service-accounts keys list --iam-account <service-account>',
      ];
    }),
    DENIED: (ctx) => {
      const host = hostnameOf(ctx.registry);
      const project = ctx.repository.split('/')[0] ?? '<project>';
      return artifactRegistry
        ? [
            `Grant read access: gcloud artifacts repositories add-iam-policy-binding ${ctx.repository.split('/')[1] ?? '<repository>'} --project ${project} --location ${host.replace(/-docker\.pkg\.dev$/, '')} --member serviceAccount:<service-account> --role roles/artifactregistry.reader`,
            'Check the Artifact Registry API is enabled in the project and no VPC Service Controls perimeter blocks the caller.',
          ]
        : [
            `Grant read access to the project's images (gcr.io is served by Artifact Registry): roles/artifactregistry.reader on project ${project}`,
            'Check the Artifact Registry API is enabled in the project and no VPC Service Controls perimeter blocks the caller.',
          ];
    },
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
      `List the images: gcloud artifacts docker images list ${hostnameOf(ctx.registry)}/${ctx.repository} --include-tags`,
    ]),
  };
}

const gcr: ProfileRecord = {
  name: 'gcr',
  displayName: 'Google Container Registry (gcr.io)',
  recognisedByHost: true,
  matchesHost: (host) => host !== 'mirror.gcr.io' && (host === 'gcr.io' || host.endsWith('.gcr.io')),
  trustedRealmHosts: [],
  rateLimit: GOOGLE_RATE_LIMIT,
  rules: GOOGLE_RULES,
  // Login steps that fit the registry replace the generic `docker login` (an interactive prompt for a token that only an API call yields).
  ownsSteps: ['AUTH_REQUIRED', 'AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'],
  steps: googleSteps(false),
};

const artifactRegistry: ProfileRecord = {
  name: 'artifact-registry',
  displayName: 'Google Artifact Registry',
  recognisedByHost: true,
  matchesHost: (host) => /^[a-z0-9-]+-docker\.pkg\.dev$/.test(host),
  // The realm is https://REGION-docker.pkg.dev/v2/token, the registry host (GoogleContainerTools/skaffold#6743).
  trustedRealmHosts: [],
  rateLimit: GOOGLE_RATE_LIMIT,
  rules: GOOGLE_RULES,
  // Login steps that fit the registry replace the generic `docker login` (an interactive prompt for a token that only an API call yields).
  ownsSteps: ['AUTH_REQUIRED', 'AUTH_FAILED', 'CREDENTIALS_UNAVAILABLE'],
  steps: googleSteps(true),
};

const registryK8s: ProfileRecord = {
  name: 'registry-k8s',
  displayName: 'Kubernetes community registry (registry.k8s.io)',
  recognisedByHost: true,
  matchesHost: (host) => host === 'registry.k8s.io',
  // Anonymous only: it answers manifest and blob requests with a 307 to a regional Artifact
  // Registry host, e.g. asia-east1-docker.pkg.dev/v2/k8s-artifacts-prod/images/...
  // (kubernetes/registry.k8s.io#116), whose own errors then follow the Google rules.
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://github.com/kubernetes/registry.k8s.io/blob/main/docs/debugging.md',
  },
  rules: GOOGLE_RULES,
  ownsSteps: [],
  steps: {
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
      `List the published tags: crane ls registry.k8s.io/${ctx.repository}`,
      'Images reach registry.k8s.io only through the image promoter: check the project promoted this tag (kubernetes/k8s.io, registry.k8s.io/images).',
    ]),
    ...sameSteps(['REGISTRY_UNAVAILABLE', 'TIMEOUT', 'CONNECTION_RESET'], () => [
      'registry.k8s.io redirects each request to the nearest Artifact Registry region: check both hosts are reachable (curl -sIL https://registry.k8s.io/v2/).',
    ]),
  },
};

const mirrorGcr: ProfileRecord = {
  name: 'mirror-gcr',
  displayName: "Google's Docker Hub mirror (mirror.gcr.io)",
  recognisedByHost: true,
  matchesHost: (host) => host === 'mirror.gcr.io',
  trustedRealmHosts: [],
  rateLimit: GOOGLE_RATE_LIMIT,
  rules: [],
  ownsSteps: [],
  steps: sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
    'mirror.gcr.io caches only frequently pulled Docker Hub images; others are not there.',
    `Pull from Docker Hub instead: docker pull docker.io/${ctx.repository}:${ctx.reference}`,
  ]),
};

const ghcr: ProfileRecord = {
  name: 'ghcr',
  displayName: 'GitHub Container Registry',
  recognisedByHost: true,
  matchesHost: (host) => host === 'ghcr.io',
  // The realm is https://ghcr.io/token, the registry host (Mic92/niks3#229).
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source:
      'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry',
  },
  // A private (or not yet created) package: GHCR either refuses the anonymous token or "issue[s]
  // one and reject[s] the manifest fetch (403)" (TeamCoderz/WordyMe#75, measured against live GHCR);
  // COMMON_RULES' after-token rule reads the manifest 403. No capture of that 403's body was found.
  rules: [
    {
      // The other way: the token request itself answered 403, anonymously for a private or missing
      // package (`GET https://ghcr.io/token?scope=repository%3A...%3Apull&service=ghcr.io: 403
      // Forbidden` in coollabsio/coolify#5575 and dragonflydb/dragonfly#4997; skopeo's
      // "Requesting bearer token: received unexpected HTTP status: 403 Forbidden" in
      // mccutchen/go-httpbin#223), with the body {"errors":[{"code":"DENIED","message":"requested
      // access to the resource is denied"}]} (Bossett/bsky-feeds#155; go-containerregistry prints
      // it `DENIED: denied` in sigstore/scaffolding#127). The same "missing or not yours" as a
      // refusal after a token: GHCR will not say which.
      meaning: 'missing-or-not-visible',
      status: [403],
      atTokenService: true,
      source: 'https://github.com/coollabsio/coolify/issues/5575',
    },
  ],
  ownsSteps: [],
  steps: {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED'], (ctx) => [
      'Create a personal access token (classic) with the read:packages scope: https://github.com/settings/tokens',
      'Log in with it: echo "$GITHUB_TOKEN" | docker login ghcr.io --username <GitHub user> --password-stdin',
      `An organisation with SAML SSO must authorise the token for ${ctx.repository.split('/')[0] ?? '<owner>'}.`,
    ]),
    ...sameSteps(['DENIED', 'NAME_UNKNOWN'], (ctx) => [
      `Check the package's visibility and who may read it: https://github.com/${ctx.repository.split('/')[0] ?? '<owner>'}?tab=packages`,
      'A package is private by default after its first push; make it public or grant the reader access in its settings.',
    ]),
  },
};

const quay: ProfileRecord = {
  name: 'quay',
  displayName: 'Quay.io',
  recognisedByHost: true,
  matchesHost: (host) => host === 'quay.io',
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://docs.quay.io/issues/429.html',
  },
  rules: [
    {
      // "unauthorized: access to the requested resource is not authorized" for an image that was
      // not on quay.io at all (hpe-storage/csi-driver#288) and for a repository that did not exist
      // (redhat-et/triton-dev-containers#133): Quay does not tell missing from private.
      meaning: 'missing-or-not-visible',
      status: [401, 403],
      code: 'UNAUTHORIZED',
      message: /access to the requested resource is not authorized/i,
      source: 'https://github.com/hpe-storage/csi-driver/issues/288',
    },
  ],
  ownsSteps: [],
  steps: {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED'], (ctx) => [
      'Use a robot account with read permission: docker login quay.io --username <org>+<robot> --password-stdin',
      `Check the repository's permissions: https://quay.io/repository/${ctx.repository}?tab=settings`,
    ]),
    ...sameSteps(['DENIED', 'NAME_UNKNOWN'], (ctx) => [
      `Check the repository exists and is public, or grant read to the robot account: https://quay.io/repository/${ctx.repository}`,
    ]),
  },
};

const acr: ProfileRecord = {
  name: 'acr',
  displayName: 'Azure Container Registry / Microsoft Artifact Registry',
  recognisedByHost: true,
  matchesHost: (host) => /^[a-z0-9-]+\.azurecr\.(io|cn|us)$/.test(host) || host === 'mcr.microsoft.com',
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-skus',
  },
  // ACR and MCR speak the spec's codes: 404 MANIFEST_UNKNOWN 'manifest tagged by "1.1.2" is not
  // found' (MicrosoftDocs/azure-docs#90060, from mcr.microsoft.com), which the generic rules read.
  // No capture of ACR's 401/403 bodies was found.
  rules: [],
  ownsSteps: [],
  steps: {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED'], (ctx) => [
      `Log in: az acr login --name ${acrName(ctx)}`,
      `Or with a token or service principal: docker login ${hostnameOf(ctx.registry)} --username <client id> --password-stdin`,
    ]),
    DENIED: (ctx) => [
      `Grant pull rights: az role assignment create --assignee <principal> --role AcrPull --scope $(az acr show --name ${acrName(ctx)} --query id -o tsv)`,
      `Check network rules do not block the caller: az acr network-rule list --name ${acrName(ctx)}`,
    ],
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) =>
      hostnameOf(ctx.registry) === 'mcr.microsoft.com'
        ? [`List the published tags: curl -s https://mcr.microsoft.com/v2/${ctx.repository}/tags/list`]
        : [
            `List the tags: az acr repository show-tags --name ${acrName(ctx)} --repository ${ctx.repository}`,
          ],
    ),
  },
};

function acrName(ctx: NextStepContext): string {
  return hostnameOf(ctx.registry).replace(/\.azurecr\.(io|cn|us)$/, '');
}

const harbor: ProfileRecord = {
  name: 'harbor',
  displayName: 'Harbor',
  recognisedByHost: false,
  matchesHost: () => false,
  // The realm is https://<harbor>/service/token, the registry host (goharbor/harbor#714).
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://goharbor.io/docs/main/administration/configure-proxy-cache/',
  },
  // A project the account is not a member of (or one that does not exist) is refused with 401
  // "unauthorized to access repository: ..., action: pull" after a granted token
  // (goharbor/harbor-helm#622), which COMMON_RULES' after-token rule reads.
  // Since 2.1 Harbor answers NOT_FOUND, a code the spec does not have, for a missing repository,
  // tag or blob alike; only the message tells them apart (goharbor/harbor#16515, containers/image#2413).
  rules: [
    {
      // {"errors":[{"code":"NOT_FOUND","message":"repository playground/cue/github.com not found"}]}
      // (cue-lang/cue#2982, Harbor 2.x; also goharbor/harbor#16515 from docker-compose).
      meaning: 'repository-missing',
      status: [404],
      code: 'NOT_FOUND',
      message: /^repository .+ not found/i,
      source: 'https://github.com/cue-lang/cue/issues/2982',
    },
    {
      // {"errors":[{"code":"NOT_FOUND","message":"blob sha256:e343... not found"}]} (goharbor/harbor#18461).
      meaning: 'blob-missing',
      status: [404],
      code: 'NOT_FOUND',
      message: /^blob .+ not found/i,
      source: 'https://github.com/goharbor/harbor/issues/18461',
    },
    {
      // Any other NOT_FOUND on a manifest is the tag: containers/image#2413 treats every "not found"
      // message as manifest unknown. No capture of Harbor's exact wording for a missing tag was found.
      meaning: 'tag-missing',
      status: [404],
      code: 'NOT_FOUND',
      message: /not found/i,
      source: 'https://github.com/containers/image/pull/2413',
    },
  ],
  ownsSteps: [],
  steps: {
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
      `Check the project and repository in Harbor: curl -s -u USER ${origin(ctx)}/api/v2.0/projects/${ctx.repository.split('/')[0] ?? '<project>'}/repositories`,
      'A proxy-cache project fetches from its upstream on first pull: check the upstream registry endpoint in Administration > Registries.',
    ]),
    ...sameSteps(['DENIED', 'AUTH_REQUIRED', 'AUTH_FAILED'], (ctx) => [
      `A private project needs a member account or a robot account with pull permission: docker login ${ctx.registry} --username 'robot$<project>+<name>' --password-stdin`,
    ]),
  },
};

const gitlab: ProfileRecord = {
  name: 'gitlab',
  displayName: 'GitLab container registry',
  recognisedByHost: true,
  matchesHost: (host) => host === 'registry.gitlab.com',
  // The registry's token realm is the GitLab instance itself, https://gitlab.com/jwt/auth for
  // registry.gitlab.com (n0madic/gitlab-registry-images-cleaner#13 shows /jwt/auth on the git host
  // and /v2/ on the registry host). Named here although the realm policy's same-registrable-domain
  // rule would allow it too; a self-hosted instance's realm is allowed by that rule alone.
  trustedRealmHosts: ['gitlab.com'],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://docs.gitlab.com/user/packages/container_registry/',
  },
  // A token GitLab issues for a project the account cannot read carries no access, and the
  // registry then answers 401 (n0madic/gitlab-registry-images-cleaner#13: /jwt/auth 200, then 401);
  // COMMON_RULES' insufficient_scope rule reads it. No capture of that 401's body was found.
  rules: [],
  ownsSteps: [],
  steps: {
    ...sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED', 'DENIED'], (ctx) => [
      `Use a deploy token or personal access token with read_registry: echo "$TOKEN" | docker login ${ctx.registry} --username <user or deploy token name> --password-stdin`,
      'A CI job token reads only projects that allow it (Settings > CI/CD > Job token permissions).',
    ]),
  },
};

const artifactory: ProfileRecord = {
  name: 'artifactory',
  displayName: 'JFrog Artifactory',
  recognisedByHost: true,
  matchesHost: (host) => host.endsWith('.jfrog.io'),
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://jfrog.com/help/r/jfrog-artifactory-documentation/docker-registry',
  },
  // Artifactory speaks the spec's codes: 404 MANIFEST_UNKNOWN 'The named manifest is not known to
  // the registry.' (jetstack/version-checker#318); a remote repository says the same when its
  // upstream refused it (mariadb-operator/mariadb-operator#1295), so the next steps name both.
  // No capture of its 401/403 bodies was found.
  rules: [],
  ownsSteps: [],
  steps: sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
    listTagsWithLogin(ctx),
    'For a remote (proxy) repository the upstream may have refused Artifactory: check its upstream credentials and the remote repository log; a virtual repository answers for its first member that has the tag.',
  ]),
};

/** The distribution API's tag list with a login: what a self-hosted repository manager really holds. */
function listTagsWithLogin(ctx: NextStepContext): string {
  return `List the tags: curl -s -u USER ${origin(ctx)}/v2/${ctx.repository}/tags/list`;
}

const nexus: ProfileRecord = {
  name: 'nexus',
  displayName: 'Sonatype Nexus Repository',
  recognisedByHost: false,
  matchesHost: () => false,
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://help.sonatype.com/en/docker-registry.html',
  },
  // Nexus speaks the spec's codes on its Docker connector: 404 MANIFEST_UNKNOWN 'manifest unknown'
  // (sonatype/nexus-public#317). Outside the connector its web UI answers an HTML 404 page
  // ('404 - Nexus Repository Manager', microsoft/vscode-docker#537), which COMMON_RULES read as
  // not the registry. Old versions answered HEAD with 404 where GET worked
  // (andrey-pohilko/registry-cli#43); the HEAD is repeated as GET (manifest.ts).
  rules: [],
  ownsSteps: [],
  steps: {
    PROTOCOL_ERROR: (ctx) => [
      `An HTML "404 - Nexus Repository Manager" page means the request reached Nexus's web UI, not a Docker connector: probe the repository's HTTP(S) connector port, or the /repository/<name>/ path on a reverse proxy (tried: ${ctx.registry}).`,
    ],
    ...sameSteps(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'], (ctx) => [
      listTagsWithLogin(ctx),
      'A group repository answers for its members: check the member that should hold the image, and for a proxy member its remote URL and credentials.',
    ]),
  },
};

const generic: ProfileRecord = {
  name: 'generic',
  displayName: 'Private registry',
  recognisedByHost: false,
  matchesHost: () => false,
  trustedRealmHosts: [],
  rateLimit: {
    limited: false,
    headers: NO_RATE_LIMIT_HEADERS,
    source: 'https://github.com/opencontainers/distribution-spec/blob/main/spec.md',
  },
  rules: [],
  ownsSteps: [],
  steps: sameSteps(['AUTH_REQUIRED', 'AUTH_FAILED'], (ctx) => [
    `Check the credentials work with docker: docker login ${ctx.registry} && docker pull ${image(ctx)}`,
  ]),
};

const RECORDS: readonly ProfileRecord[] = [
  dockerhub,
  ecr,
  ecrPublic,
  mirrorGcr,
  gcr,
  artifactRegistry,
  registryK8s,
  ghcr,
  quay,
  acr,
  harbor,
  gitlab,
  artifactory,
  nexus,
  generic,
];

function profileOf(record: ProfileRecord, trustedRealmHosts: readonly string[]): RegistryProfile {
  const { matchesHost: _matches, ...data } = record;
  return {
    ...data,
    trustedRealmHosts,
    rateLimited: record.rateLimit.limited,
    nextSteps: (code, ctx) => record.steps[code]?.(ctx) ?? [],
    explain: (answer, login) => explainAnswer(record.rules, answer, login),
  };
}

const BY_NAME = new Map(RECORDS.map((r) => [r.name, r]));

export function isProfileName(name: string): name is RegistryProfileName {
  return BY_NAME.has(name as RegistryProfileName);
}

/**
 * The profile of a registry host (with or without port); unknown hosts get the generic profile.
 * `chosen` (a target's `profile`, `--profile`) names the family instead, for self-hosted
 * registries the host cannot identify. A chosen family's trusted realm hosts apply only on its
 * own hosts: `--profile dockerhub` on another host must not send its credentials to auth.docker.io.
 */
export function profileForHost(host: string, chosen?: RegistryProfileName): RegistryProfile {
  const name = hostnameOf(host);
  if (chosen !== undefined) {
    const record = BY_NAME.get(chosen);
    if (!record) throw new Error(`unknown registry profile ${JSON.stringify(chosen)}`);
    return profileOf(record, record.matchesHost(name) ? record.trustedRealmHosts : []);
  }
  const record = RECORDS.find((r) => r.recognisedByHost && r.matchesHost(name)) ?? generic;
  return profileOf(record, record.trustedRealmHosts);
}
