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
 * This checks the URL as written. A DNS name that resolves to a metadata address is not caught
 * here; that needs a check of the connected address.
 */
import { getDomain } from 'tldts';
import type { RegistryProfile } from './profiles.ts';

export type RealmDecision = { allowed: true } | { allowed: false; reason: string };

export interface RealmPolicyOptions {
  /** Whether the request to the realm would carry credentials. */
  withCredentials: boolean;
  profile: RegistryProfile;
}

/** Host names of cloud metadata services that are not IP literals. */
const METADATA_HOST_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** Decides whether the probe may call `realm`, a token realm named by the registry at `registryBaseUrl`. */
export function checkRealm(registryBaseUrl: URL, realm: URL, opts: RealmPolicyOptions): RealmDecision {
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    return refuse(
      `The token realm ${describe(realm)} uses the ${realm.protocol} scheme; only http and https are allowed.`,
    );
  }
  const realmHost = bareHostname(realm.hostname);
  const metadata = metadataReason(realmHost);
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
  const realmDomain = registrableDomain(realmHost);
  if (
    realm.protocol === 'https:' &&
    realmDomain !== null &&
    !isMultiTenant(realmHost) &&
    !isMultiTenant(registryHost) &&
    realmDomain === registrableDomain(registryHost)
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

function bareHostname(hostname: string): string {
  const lower = hostname.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
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

/** The registrable domain that stands for one owner, or null for IP literals. */
function registrableDomain(host: string): string | null {
  return getDomain(host, { allowPrivateDomains: true });
}

/** Why a host is a metadata or link-local address, or null when it is not. */
function metadataReason(host: string): string | null {
  if (METADATA_HOST_NAMES.has(host)) return `the cloud metadata service (${host})`;
  const ipv4 = parseIpv4(host) ?? ipv4MappedInIpv6(host);
  if (ipv4) {
    if (ipv4[0] === 169 && ipv4[1] === 254)
      return `the link-local address ${ipv4.join('.')} (cloud metadata)`;
    // Alibaba Cloud's metadata service is not link-local.
    if (ipv4.join('.') === '100.100.100.200') return 'the cloud metadata address 100.100.100.200';
    return null;
  }
  const ipv6 = parseIpv6(host);
  if (ipv6) {
    // fe80::/10: the first 10 bits are 1111 1110 10.
    if ((ipv6[0]! & 0xffc0) === 0xfe80) return `the link-local address ${host}`;
    // AWS's IPv6 instance metadata endpoint, fd00:ec2::254.
    if (ipv6.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) {
      return `the cloud metadata address ${host}`;
    }
  }
  return null;
}

/** Four octets of a dotted-decimal IPv4 literal, or null. WHATWG URL parsing already turns 0xA9FEA9FE, 2852039166 and friends into dotted decimal. */
export function parseIpv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** ::ffff:a9fe:a9fe (how URL normalises ::ffff:169.254.169.254) reaches the IPv4 address. */
function ipv4MappedInIpv6(host: string): number[] | null {
  const groups = parseIpv6(host);
  if (!groups) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (!mapped) return null;
  return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff];
}

/** Eight 16-bit groups of an IPv6 literal (without brackets), or null. Handles :: and a dotted IPv4 tail. */
export function parseIpv6(host: string): number[] | null {
  if (!host.includes(':')) return null;
  let text = host.replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = parseIpv4(tail[1]!);
    if (!v4) return null;
    text = `${text.slice(0, tail.index)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}
