/**
 * Where a redirect may take the probe, and what may go with it: one policy for every request a
 * registry can redirect (manifests, blobs, tokens).
 *
 * Registries redirect as a matter of course: registry.k8s.io answers every manifest request with a
 * 307 to a regional Artifact Registry host and every blob request with a 307 to S3 or GCS
 * (https://github.com/kubernetes/registry.k8s.io/blob/main/docs/debugging.md, and the crane trace in
 * https://github.com/kubernetes/registry.k8s.io/issues/116: `307 Temporary Redirect`,
 * `Location: https://asia-east1-docker.pkg.dev/v2/k8s-artifacts-prod/images/...`). Docker follows
 * them, so the probe must; but the registry chooses the destination, so, as with token realms
 * (realm-policy.ts), a hostile one must not be able to:
 * 1. Reach the cloud metadata service (SSRF). Metadata and link-local destinations are refused, in
 *    every spelling the URL parser accepts (forbidden-hosts.ts).
 * 2. Reach anything but HTTP: `file:`, `ftp:`, `data:` and every other scheme are refused.
 * 3. Collect credentials. Authorization goes only to the origin it was issued for (same scheme,
 *    host and port): never to another host (the distribution spec forbids forwarding it to blob
 *    storage, and S3 rejects it), and never over an https -> http downgrade, where it would travel
 *    in clear text. The redirect itself is still followed, as docker follows it.
 * 4. Loop for ever: docker's resolver stops after 10 redirects, as Go's net/http does
 *    (containerd core/remotes/docker/resolver.go, request.do: `if len(via) >= 10 { return
 *    errors.New("stopped after 10 redirects") }`; Go's net/http/client.go defaultCheckRedirect).
 * Every check is made on the Location before the next request is built: a refused destination
 * receives no connection at all.
 */
import { forbiddenHostReason } from './forbidden-hosts.ts';
import { describeUrl } from './redact.ts';

/** Redirect answers received before the probe gives up, as docker (Go's net/http) does. */
export const MAX_REDIRECTS = 10;

/**
 * The statuses Go's net/http follows (redirectBehavior in net/http/client.go): 301, 302 and 303
 * turn a POST into a GET without a body; 307 and 308 repeat the request as it was. 300, 304 and
 * 305 are not redirects to follow.
 */
const FOLLOWED = new Map<number, 'keep' | 'get'>([
  [301, 'get'],
  [302, 'get'],
  [303, 'get'],
  [307, 'keep'],
  [308, 'keep'],
]);

export function isFollowedRedirect(status: number): boolean {
  return FOLLOWED.has(status);
}

/** The method of the next hop: a POST (the token refresh grant) becomes GET on 301/302/303, as in Go. */
export function methodAfterRedirect<M extends string>(status: number, method: M): M | 'GET' {
  return FOLLOWED.get(status) === 'get' && method !== 'GET' && method !== 'HEAD' ? 'GET' : method;
}

export type RedirectDecision =
  | { allowed: true; target: URL; sendCredentials: boolean }
  | { allowed: false; reason: string };

/**
 * Decides whether the probe may follow a redirect from `from` to `location` (the raw Location
 * header), and whether the credentials issued for `credentialOrigin` may go with it.
 */
export function checkRedirect(
  from: URL,
  location: string | undefined,
  credentialOrigin: string,
): RedirectDecision {
  if (location === undefined || location.trim() === '') {
    return refuse('the redirect has no Location header');
  }
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return refuse(`the Location ${JSON.stringify(location.slice(0, 200))} is not a URL`);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    return refuse(`the Location uses the ${target.protocol} scheme; only http and https are followed`);
  }
  const forbidden = forbiddenHostReason(target.hostname);
  if (forbidden) {
    return refuse(
      `the Location ${shorten(describeUrl(target))} points at ${forbidden}; the probe never calls it, because that would let a registry read cloud credentials (SSRF)`,
    );
  }
  return { allowed: true, target, sendCredentials: mayCarryCredentials(target, credentialOrigin) };
}

/**
 * Whether a request to `target` may carry the credentials issued for `credentialOrigin`: only to
 * that very origin, so never to another host or port, and never over an https -> http downgrade.
 * Go's net/http (client.go, shouldCopyHeaderOnRedirect) compares host:port with the scheme's
 * default port, and also lets them go to a subdomain; the probe does not forward them to subdomains.
 */
export function mayCarryCredentials(target: URL, credentialOrigin: string): boolean {
  return target.origin === credentialOrigin;
}

/** A Location is the registry's text: keep evidence short whatever it sends. */
function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function refuse(reason: string): RedirectDecision {
  return { allowed: false, reason };
}
