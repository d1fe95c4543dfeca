/**
 * Pasteable next steps per diagnosis code, for the person paged at 3 a.m.: each confirms the
 * diagnosis from their own machine, without registry-canary, or fixes it. Registry-specific steps
 * come from the registry's profile and are appended after these.
 */
import type { DiagnosisCode } from './codes.ts';
import type { Classification, DiagnoseContext } from './diagnose.ts';

type Context = Pick<DiagnoseContext, 'registry' | 'repository' | 'reference' | 'plainHttp' | 'platforms'>;

export function nextStepsFor(c: Pick<Classification, 'code' | 'facts'>, ctx: Context): string[] {
  const base = `${ctx.plainHttp ? 'http' : 'https'}://${ctx.registry}`;
  const { hostname, port } = hostAndPort(ctx.registry, ctx.plainHttp);
  const separator = ctx.reference.includes(':') ? '@' : ':';
  const image = `${ctx.registry}/${ctx.repository}${separator}${ctx.reference}`;
  const tlsFlag = ctx.plainHttp ? ' --tls-verify=false' : '';
  // The command a reader pastes must reach the registry the way the probe did.
  const probe = `registry-canary probe ${image}${ctx.plainHttp ? ' --plain-http' : ''}`;
  // docker (Go's golang.org/x/net/http/httpproxy) proxies an http:// registry through HTTP_PROXY and
  // an https:// one through HTTPS_PROXY; the check must use the same proxy.
  const proxyVariable = ctx.plainHttp ? '$HTTP_PROXY' : '$HTTPS_PROXY';
  const ping = `curl -sI ${base}/v2/`;
  const timing = `curl -sS -o /dev/null --max-time 30 -w 'dns %{time_namelookup}s connect %{time_connect}s tls %{time_appconnect}s ttfb %{time_starttransfer}s total %{time_total}s\\n' ${base}/v2/`;
  const sClient = `openssl s_client -connect ${hostname}:${port} -servername ${hostname} -showcerts </dev/null`;
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
      `curl -v ${base}/v2/`,
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
      `${probe} --ca-file /path/to/ca.pem   # when the registry uses a private CA`,
      'Install the CA that signed the certificate (or serve the full chain, including intermediates).',
    ],
    TLS_HOSTNAME_MISMATCH: [
      certDates,
      `Use a name the certificate lists in its subjectAltName, or reissue it to include ${hostname}.`,
    ],
    TLS_ERROR: [
      sClient,
      `curl -sI http://${ctx.registry}/v2/   # is it plain HTTP? then probe with --plain-http`,
    ],
    PROXY_ERROR: [
      'env | grep -i _proxy',
      `curl -sI -x "${proxyVariable}" ${base}/v2/`,
      `Add ${hostname} to NO_PROXY if the registry should be reached directly.`,
    ],
    AUTH_REQUIRED: [
      `${ping}   # read the WWW-Authenticate challenge`,
      `${probe} --username USER --password-stdin`,
      `${listTags}   # a repository that does not exist also asks for credentials`,
    ],
    AUTH_FAILED: [
      `docker login ${ctx.registry}   # check the same credentials by hand`,
      `echo "$PASSWORD" | ${probe} --username USER --password-stdin`,
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
    PLATFORM_MISSING: [
      `${inspectRaw} | jq '.manifests[].platform'`,
      `Rebuild with every platform: docker buildx build --platform ${ctx.platforms.join(',') || 'linux/amd64'} --push -t ${image} .`,
    ],
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
    CREDENTIALS_UNAVAILABLE: [
      'Check the credential source: the secret exists, the role may read it, the key has not been revoked.',
    ],
  };
  return steps[c.code];
}

function hostAndPort(registry: string, plainHttp: boolean): { hostname: string; port: string } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(registry);
  const hostname = match?.[1] ?? registry;
  return { hostname, port: match?.[2] ?? (plainHttp ? '80' : '443') };
}
