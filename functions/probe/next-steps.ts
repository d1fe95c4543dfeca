/**
 * Pasteable next steps per diagnosis code, for the person paged at 3 a.m.: each confirms the
 * diagnosis from their own machine, without registry-canary, or fixes it. Registry-specific steps
 * come from the registry's profile and are appended after these.
 */

import type { AnswerMeaning } from '../registry/dialect.ts';
import { probeAgain } from '../registry/profiles.ts';
import type { DiagnosisCode } from './codes.ts';
import type { Classification, DiagnoseContext, ProxyFacts } from './diagnose.ts';

type Context = Pick<DiagnoseContext, 'registry' | 'repository' | 'reference' | 'plainHttp' | 'platforms'> &
  Partial<Pick<DiagnoseContext, 'invocation' | 'credentialSource'>>;

/**
 * The generic steps for a classification: those for what the dialect said the answer means, then
 * the code's own, unless the registry's profile owns the code's steps (ECR's login is never an
 * interactive `docker login`), then `codeSteps: false` leaves the code's own out.
 */
export function nextStepsFor(
  c: Pick<Classification, 'code' | 'facts'>,
  ctx: Context,
  codeSteps = true,
): string[] {
  const base = `${ctx.plainHttp ? 'http' : 'https'}://${ctx.registry}`;
  const flags = ctx.invocation?.flags ?? [];
  // The failing run's own --ca-file, so that curl and openssl trust what the probe trusted.
  const caFile = flags.find((f) => f.startsWith('--ca-file '))?.slice('--ca-file '.length);
  const curlCa = caFile ? ` --cacert ${caFile}` : '';
  /** The probe again as it was run, with `drop`ped flags replaced by `extra`. */
  const again = (extra: string[] = [], drop?: RegExp): string =>
    probeAgain(
      {
        ...ctx,
        invocation: {
          command: ctx.invocation?.command ?? 'registry-canary',
          flags: drop ? flags.filter((f) => !drop.test(f)) : flags,
        },
      },
      extra,
    );
  const { hostname, port } = hostAndPort(ctx.registry, ctx.plainHttp);
  const separator = ctx.reference.includes(':') ? '@' : ':';
  const image = `${ctx.registry}/${ctx.repository}${separator}${ctx.reference}`;
  const tlsFlag = ctx.plainHttp ? ' --tls-verify=false' : '';
  const ping = `curl -sI${curlCa} ${base}/v2/`;
  const timing = `curl -sS${curlCa} -o /dev/null --max-time 30 -w 'dns %{time_namelookup}s connect %{time_connect}s tls %{time_appconnect}s ttfb %{time_starttransfer}s total %{time_total}s\\n' ${base}/v2/`;
  const sClient = `openssl s_client -connect ${hostname}:${port} -servername ${hostname}${caFile ? ` -CAfile ${caFile}` : ''} -showcerts </dev/null`;
  const certDates = `openssl s_client -connect ${hostname}:${port} -servername ${hostname} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`;
  const listTags = `skopeo list-tags${tlsFlag} docker://${ctx.registry}/${ctx.repository}`;
  const inspectRaw = `skopeo inspect${tlsFlag} --raw docker://${image}`;
  const realmToken = c.facts?.realm
    ? `curl -s '${c.facts.realm}?scope=repository:${ctx.repository}:pull' | head -c 300`
    : null;

  const steps: Record<DiagnosisCode, string[]> = {
    DNS_FAILURE: [
      `getent hosts ${hostname}`,
      `dig +short ${hostname}`,
      'cat /etc/resolv.conf   # which resolver is used; in a VPC, check the Route 53 resolver rules and private zones',
    ],
    CONNECTION_REFUSED: [
      `nc -vz ${hostname} ${port}`,
      ping,
      'Check the registry process is running and the port, security group and firewall rules.',
    ],
    CONNECTION_RESET: [
      `curl -v${curlCa} ${base}/v2/`,
      ...(ctx.plainHttp ? [] : [sClient]),
      'A firewall, load balancer or proxy that drops connections looks like this.',
    ],
    TIMEOUT: [
      timing,
      `nc -vz -w 5 ${hostname} ${port}`,
      'Compare the phases: a slow connect points at the network, a slow ttfb at the registry.',
    ],
    TLS_EXPIRED: [
      certDates,
      'Renew the certificate on the registry or its load balancer; check the clock with `date -u`.',
    ],
    TLS_UNTRUSTED: [
      sClient,
      `${again(['--ca-file /path/to/ca.pem'], /^--ca-file /)}   # when the registry uses a private CA; for a deployed canary, the file of the config's caBundle.path (or its caBundle.pem saved to a file)`,
      'Install the CA that signed the certificate (or serve the full chain, including intermediates).',
    ],
    TLS_HOSTNAME_MISMATCH: [
      certDates,
      `Use a name the certificate lists in its subjectAltName, or reissue it to include ${hostname}.`,
    ],
    TLS_ERROR: [
      sClient,
      `curl -sI http://${ctx.registry}/v2/   # is it plain HTTP? then: ${again(['--plain-http'], /^--(plain-http|ca-file )/)}`,
    ],
    PROXY_ERROR: proxySteps(c.facts?.proxy, { base, curlCa, hostname, plainHttp: ctx.plainHttp }),
    AUTH_REQUIRED: [
      // docker-config found no entry for the host and probed anonymously: say so, it is the usual cause.
      ...(ctx.credentialSource === 'docker-config'
        ? [
            `The docker config has no auths entry for ${ctx.registry}, so the probe went anonymously: docker login ${ctx.registry}, or pick the source with --auth (ecr, basic, google-key=FILE...).`,
          ]
        : []),
      `${ping}   # read the WWW-Authenticate challenge`,
      `echo "$PASSWORD" | ${again(['--username USER --password-stdin'], /^--(auth|username|password-stdin)\b/)}`,
      `${listTags}   # a repository that does not exist also asks for credentials`,
    ],
    AUTH_FAILED: [
      `docker login ${ctx.registry}   # check the same credentials by hand`,
      `echo "$PASSWORD" | ${again(['--username USER --password-stdin'], /^--(auth|username|password-stdin)\b/)}`,
      'Check the credentials have not expired or been rotated, and that the account is not locked.',
    ],
    TOKEN_SERVICE_ERROR: [
      `${ping}   # the realm in WWW-Authenticate is the token service`,
      ...(realmToken ? [realmToken] : []),
      'A refused realm: the registry names a token service the probe does not trust; check the registry host and its profile.',
    ],
    DENIED: [
      `${listTags} --creds USER`,
      'Grant the probe identity pull permission on the repository (or check its organisation/team).',
    ],
    NAME_UNKNOWN: [
      listTags,
      `curl -s ${base}/v2/_catalog   # if the registry allows listing`,
      'Check the repository path for typos and a missing namespace.',
    ],
    MANIFEST_UNKNOWN: [
      listTags,
      'The tag was deleted, never pushed, or removed by a lifecycle/retention policy.',
    ],
    PLATFORM_MISSING: platformSteps(c, ctx, inspectRaw),
    BLOB_UNKNOWN: [
      inspectRaw,
      `skopeo copy${tlsFlag} docker://${image} dir:/tmp/image-check   # fetches every blob`,
      'Push the image again; a garbage collection or storage loss removed a blob.',
    ],
    DIGEST_MISMATCH: [
      `skopeo copy${tlsFlag} docker://${image} dir:/tmp/image-check   # verifies every digest`,
      'Check the registry storage, any caching proxy or CDN in between, and push the image again.',
    ],
    RATE_LIMITED: [
      `curl -sI -H 'Accept: application/vnd.oci.image.index.v1+json' ${base}/v2/${ctx.repository}/manifests/${ctx.reference} | grep -i -e ratelimit -e retry-after   # a HEAD spends no pull; add -H "Authorization: Bearer $TOKEN" when a token is required`,
      ...(c.facts?.retryAfter ? [`Wait ${c.facts.retryAfter} s (Retry-After) before pulling again.`] : []),
      'Authenticate the probe and the pulls, or pull through a mirror or pull-through cache.',
    ],
    REGISTRY_UNAVAILABLE: [ping, timing, "Check the registry's status page; retry with backoff."],
    PROTOCOL_ERROR: [
      `curl -sv ${base}/v2/ 2>&1 | head -40`,
      'Check the host and port are the registry API, not a web UI or a load balancer default page.',
    ],
    CREDENTIALS_UNAVAILABLE: credentialSteps(c.facts?.providerCode, ctx, again),
  };
  return [
    ...(c.facts?.meaning ? (MEANING_STEPS[c.facts.meaning]?.(ctx, listTags) ?? []) : []),
    ...(codeSteps ? steps[c.code] : []),
  ];
}

/**
 * PROXY_ERROR steps that test the proxy the probe used, at the hop that failed: its name, its
 * port, its access rules or its login, then whether the registry should go through it at all.
 * The CLI reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY; the Lambda, the config's httpsProxy/noProxy.
 */
function proxySteps(
  proxy: ProxyFacts | undefined,
  r: { base: string; curlCa: string; hostname: string; plainHttp: boolean },
): string[] {
  const variable = r.plainHttp ? 'HTTP_PROXY' : 'HTTPS_PROXY';
  const via = proxy ? `'${proxy.url.replaceAll("'", '')}'` : `"$${variable}"`;
  const where = `The proxy comes from ${variable} (and NO_PROXY) for the CLI, and from the config's httpsProxy (and noProxy) for the Lambda.`;
  const bypass = `If ${r.hostname} should not go through the proxy (a VPC endpoint, an internal registry), add it to NO_PROXY, or to noProxy in the config.`;
  const tryIt = `curl -sv${r.curlCa} -x ${via} ${r.base}/v2/ 2>&1 | grep -iE '^(< HTTP|< X-Squid-Error|< Proxy-|< Via|\\* )'   # the proxy's own status and headers`;
  switch (proxy?.failure) {
    case 'unresolved':
      return [
        `getent hosts ${proxy.hostname}   # the proxy's name, not the registry's: the probe resolves only the proxy`,
        `Check the proxy URL (${proxy.url}): a typo, or a name only an internal resolver knows. ${where}`,
        bypass,
      ];
    case 'unreachable':
      return [
        `nc -vz ${proxy.hostname} ${proxy.port}   # is the proxy listening?`,
        `Check the proxy service and its port in the proxy URL (${proxy.url}). ${where}`,
        bypass,
      ];
    case 'refused':
      return [
        tryIt,
        `The proxy's access rules refuse ${proxy.target}: ask its owner to allow it (Squid: an http_access allow for the registry's domain${r.plainHttp ? '' : ', and CONNECT to its port'}; its access.log shows TCP_DENIED/403).`,
        bypass,
      ];
    case 'auth':
      return [
        tryIt,
        `The proxy wants its own credentials: put them in the proxy URL (http://USER:PASSWORD@${proxy.hostname}:${proxy.port}), or ask its owner to allow this source address. ${where}`,
      ];
    case 'upstream':
      return [
        tryIt,
        `The proxy could not reach ${proxy.target}: check the registry's status, then the proxy's DNS and route to it (its error page or log names which).`,
        bypass,
      ];
    default:
      return ['env | grep -i _proxy', tryIt, where, bypass];
  }
}

/**
 * The rebuild keeps every platform the image has and adds the missing ones (a rebuild with only
 * the required list would drop the others), and pushes a tag: a digest names content and cannot
 * be pushed to.
 */
function platformSteps(c: Pick<Classification, 'facts'>, ctx: Context, inspectRaw: string): string[] {
  const keep = [...new Set([...(c.facts?.platforms?.available ?? []), ...ctx.platforms])];
  const pinned = ctx.reference.includes(':');
  const tag = pinned
    ? `${ctx.registry}/${ctx.repository}:<tag>`
    : `${ctx.registry}/${ctx.repository}:${ctx.reference}`;
  return [
    `${inspectRaw} | jq '.manifests[]?.platform'`,
    `Rebuild with every platform the image must keep: docker buildx build --platform ${keep.join(',') || 'linux/amd64'} --push -t ${tag} .`,
    ...(pinned
      ? [
          `The probe pinned a digest (${ctx.reference}), which names content and cannot be pushed to: push the tag, then pin the new digest it prints.`,
        ]
      : []),
  ];
}

/** CREDENTIALS_UNAVAILABLE steps that fit where the credentials were to come from. */
function credentialSteps(
  providerCode: string | undefined,
  ctx: Context,
  again: (extra?: string[], drop?: RegExp) => string,
): string[] {
  const withoutAuth = /^--(auth|username|password-stdin)\b/;
  const code = providerCode ?? '';
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return [
      `The docker config could not be read (${code}): log in to create it, docker login ${ctx.registry}, or set DOCKER_CONFIG to the directory that holds config.json.`,
      `For a public image: ${again(['--auth anonymous'], withoutAuth)}`,
    ];
  }
  if (code === 'InvalidDockerConfig') {
    return [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, pasted as is
      'jq . "${DOCKER_CONFIG:-$HOME/.docker}/config.json" >/dev/null   # shows where the JSON is broken',
      `Log in again to rewrite the entry: docker logout ${ctx.registry} && docker login ${ctx.registry}`,
    ];
  }
  if (code === 'CredentialHelperNotSupported') {
    const helper = `echo ${ctx.registry} | docker-credential-<helper> get`;
    return [
      `config.json keeps the credentials for ${ctx.registry} in a credential helper (credsStore or credHelpers), which registry-canary does not run.`,
      `Hand them over on stdin: ${helper} | jq -r .Secret | ${again([`--username "$(${helper} | jq -r .Username)" --password-stdin`], withoutAuth)}`,
      'For ECR (the ecr-login helper) use --auth ecr instead; for gcloud, --auth google.',
    ];
  }
  if (AWS_CHAIN_CODES.has(code)) {
    return [
      `The AWS credential chain failed (${code}): aws sts get-caller-identity   # which identity, if any, the chain finds`,
      'An expired SSO session: aws sso login --profile "$AWS_PROFILE"; on Lambda, check the function role and its trust policy.',
      ...(code.startsWith('AccessDenied')
        ? [
            'The identity lacks a permission: ecr:GetAuthorizationToken (resource *), sts:AssumeRole on a cross-account role, or secretsmanager:GetSecretValue and kms:Decrypt on the secret.',
          ]
        : []),
    ];
  }
  if (SECRET_CODES.has(code)) {
    return [
      `The secret is missing, empty or not in the expected form (${code}): aws secretsmanager describe-secret --secret-id <the target's secret>`,
      'It must hold {"username": "...", "password": "..."} (or docker config.json auths); the role needs secretsmanager:GetSecretValue and kms:Decrypt on its key.',
    ];
  }
  return [
    `Check the ${ctx.credentialSource ?? 'configured'} credential source${code ? ` (${code})` : ''}: the secret exists, the role may read it, the key has not been revoked.`,
  ];
}

/** AWS SDK error names of a credential chain, STS or ECR token call that found no usable identity. */
const AWS_CHAIN_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AccessDeniedException',
  'AccessDenied',
  'TokenRefreshRequired',
]);

/** Secrets Manager's and the secret parser's codes for a secret that is not there or not usable. */
const SECRET_CODES = new Set([
  'ResourceNotFoundException',
  'DecryptionFailure',
  'EmptySecret',
  'InvalidSecretFormat',
]);

/**
 * Steps for what the registry's dialect said the answer means (registry/dialect.ts), shown
 * before the code's own: "missing or not yours" needs a way to tell the two apart.
 */
const MEANING_STEPS: Partial<Record<AnswerMeaning, (ctx: Context, listTags: string) => string[]>> = {
  'missing-or-not-visible': (ctx, listTags) => [
    `${listTags} --creds OWNER   # with an identity that can see the repository: tags mean it exists and this identity may not read it; NAME_UNKNOWN or an empty answer means the name is wrong`,
    `Check the path for typos and a missing namespace (${ctx.repository}); the registry answers a missing repository and a private one alike.`,
  ],
  'token-expired': () => [
    'The credentials are a token that has expired: log in again for a fresh one (the steps below), and make whatever stores it refresh it before it expires.',
  ],
  'token-invalid': () => [
    'The token was refused as invalid without a challenge: a stale entry for this registry in ~/.docker/config.json or a secret is the usual cause; log in again, or log out to pull anonymously.',
  ],
};

function hostAndPort(registry: string, plainHttp: boolean): { hostname: string; port: string } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(registry);
  const hostname = match?.[1] ?? registry;
  return { hostname, port: match?.[2] ?? (plainHttp ? '80' : '443') };
}
