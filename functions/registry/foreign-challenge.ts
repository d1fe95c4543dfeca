/**
 * The 401 challenge of a host a registry redirected to. registry.k8s.io sends every manifest
 * request to a regional Artifact Registry host (https://github.com/kubernetes/registry.k8s.io/blob/main/docs/debugging.md);
 * a registry fronting another may equally send the probe to a host that wants its own Bearer token,
 * which containerd's resolver obtains for the new host (core/remotes/docker/resolver.go: on a 401,
 * the authorizer reads the challenge of the response that failed, whatever its host).
 *
 * The probe answers such a challenge anonymously only: the registry's credentials never leave the
 * registry's origin. The realm the foreign host names passes the realm policy first, as the
 * registry's own does (no metadata address, no other scheme), and a refused realm receives nothing.
 */
import { findBearer, parseWwwAuthenticate } from './challenge.ts';
import { ChallengeParseError, RealmRefusedError } from './errors.ts';
import type { HttpClient } from './http.ts';
import type { RegistryProfile } from './profiles.ts';
import { checkRealm } from './realm-policy.ts';
import { describeUrl, type SecretScrubber } from './redact.ts';
import type { ForeignChallengeHandler } from './redirects.ts';
import { obtainToken, type TokenCache } from './token.ts';

export interface ForeignChallengeOptions {
  profile: RegistryProfile;
  tokenCache: TokenCache;
  /** Learns every token obtained, so it never shows up in output. */
  scrubber: SecretScrubber;
}

/** A handler that answers a foreign host's Bearer challenge with an anonymous pull token of its own. */
export function anonymousForeignLogin(
  http: HttpClient,
  options: ForeignChallengeOptions,
): ForeignChallengeHandler {
  return async (header, url) => {
    const bearer = findBearer(parseWwwAuthenticate(header), header);
    // A Basic challenge could only be answered with credentials, and none go to another host.
    if (!bearer) return null;
    let realm: URL;
    try {
      realm = new URL(bearer.realm);
    } catch {
      throw new ChallengeParseError(
        header,
        `the Bearer realm ${JSON.stringify(bearer.realm)} is not an absolute URL`,
      );
    }
    const decision = checkRealm(new URL(url.origin), realm, {
      withCredentials: false,
      profile: options.profile,
    });
    if (!decision.allowed) {
      throw new RealmRefusedError(
        describeUrl(realm),
        `named by ${url.host}, where a redirect led: ${decision.reason}`,
      );
    }
    const scope = bearer.scopes.length > 0 ? bearer.scopes.join(' ') : pullScopeOf(url);
    const { token } = await obtainToken(
      http,
      { realm, service: bearer.service, scope, credentials: null },
      options.tokenCache,
    );
    options.scrubber.add(token);
    return `Bearer ${token}`;
  };
}

/** repository:NAME:pull for a /v2/NAME/manifests|blobs/... URL; an empty scope otherwise. */
function pullScopeOf(url: URL): string {
  const name = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1];
  return name ? `repository:${name}:pull` : '';
}
