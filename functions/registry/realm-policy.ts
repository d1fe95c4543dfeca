/**
 * Which token realms the probe may call, and which may receive credentials.
 *
 * Security first: the realm comes from the registry's `WWW-Authenticate` challenge, so a hostile or
 * compromised registry chooses where the probe sends its next request. Two things can go wrong:
 * 1. SSRF. A realm such as http://169.254.169.254/latest/meta-data/ makes the probe (running in a
 *    Lambda or on a VM) fetch the cloud metadata service, whose answers include temporary
 *    credentials. Such realms are refused always, even without credentials.
 * 2. Credential leaks. The probe sends Basic credentials to the realm to obtain a token. A realm on
 *    another host would receive the registry's password, so with credentials only the registry's
 *    own host, its registrable domain (over HTTPS) and the hosts its profile names are allowed.
 *
 * This checks the URL as written. A DNS name that resolves to a metadata address is caught when it
 * is looked up (forbidden-hosts.ts guardedLookup, used by every connection of the HttpClient).
 */
import { bareHostname, forbiddenHostReason } from './forbidden-hosts.ts';
import type { RegistryProfile } from './profiles.ts';
import type { RegistrableDomainOf } from './public-suffix.ts';

export type RealmDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether the request to the realm would carry credentials; with credentials, the lookup of a
 * host's registrable domain for the same-owner rule (public-suffix.ts loads it lazily, so it is
 * passed in rather than imported).
 */
export type RealmPolicyOptions = { profile: RegistryProfile } & (
  | { withCredentials: false }
  | { withCredentials: true; registrableDomain: RegistrableDomainOf }
);

/** Decides whether the probe may call `realm`, a token realm named by the registry at `registryBaseUrl`. */
export function checkRealm(registryBaseUrl: URL, realm: URL, opts: RealmPolicyOptions): RealmDecision {
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    return refuse(
      `The token realm ${describe(realm)} uses the ${realm.protocol} scheme; only http and https are allowed.`,
    );
  }
  const realmHost = bareHostname(realm.hostname);
  const metadata = forbiddenHostReason(realmHost);
  if (metadata) {
    return refuse(
      `The token realm ${describe(realm)} points at ${metadata}; the probe never calls it, because that would let a registry read cloud credentials (SSRF).`,
    );
  }
  if (!opts.withCredentials) return { allowed: true };

  // A credential that went out in clear text over HTTP is lost even if the host is right.
  if (registryBaseUrl.protocol === 'https:' && realm.protocol !== 'https:') {
    return refuse(
      `The token realm ${describe(realm)} is plain HTTP while the registry uses HTTPS; credentials are not sent in clear text.`,
    );
  }

  const registryHost = bareHostname(registryBaseUrl.hostname);
  // Same host, any port: the same machine already receives the credentials for the registry itself.
  if (realmHost === registryHost) return { allowed: true };

  if (opts.profile.trustedRealmHosts.includes(realmHost)) return { allowed: true };

  // The same registrable domain (per the public suffix list, private section included, so that
  // a.github.io and b.github.io count as different owners) belongs to the same owner.
  const realmDomain = opts.registrableDomain(realmHost);
  if (
    realm.protocol === 'https:' &&
    realmDomain !== null &&
    !isMultiTenant(realmHost) &&
    !isMultiTenant(registryHost) &&
    realmDomain === opts.registrableDomain(registryHost)
  ) {
    return { allowed: true };
  }

  return refuse(
    `The token realm ${describe(realm)} is on ${realmHost}, which is neither the registry ${registryHost} nor a host trusted for ${opts.profile.displayName}; credentials are not sent to it.`,
  );
}

function refuse(reason: string): RealmDecision {
  return { allowed: false, reason };
}

/** The realm without user-info, query or fragment: enough to recognise it, nothing that could be secret. */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Domains where each subdomain belongs to a different customer but that are missing from the public
 * suffix list: one tenant's registry must not pass another tenant's host off as its own realm.
 * AWS has one per partition: amazonaws.com, amazonaws.com.cn, and the dual-stack on.aws and (China)
 * on.amazonwebservices.com.cn, where ECR's <account>.dkr-ecr.<region>.* hosts live.
 */
const MULTI_TENANT_DOMAINS = [
  'azurecr.io',
  'azurecr.cn',
  'azurecr.us',
  'on.aws',
  'amazonaws.com',
  'amazonaws.com.cn',
  'amazonwebservices.com.cn',
  'jfrog.io',
  'pkg.dev',
];

/**
 * Whether the host is anywhere under a multi-tenant domain. Matched on the host, not on the
 * registrable domain: the public suffix list has private entries inside some of these domains
 * (us-east-1.amazonaws.com is one), so 111111111111.dkr.ecr.us-east-1.amazonaws.com and another
 * account's 222222222222.dkr.ecr.us-east-1.amazonaws.com share the registrable domain
 * ecr.us-east-1.amazonaws.com, which is not itself in the list.
 */
function isMultiTenant(host: string): boolean {
  return MULTI_TENANT_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
