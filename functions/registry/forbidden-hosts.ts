/**
 * Hosts the probe never sends a request to, whoever names them: cloud metadata services and
 * link-local addresses. The probe runs in a Lambda or on a VM, where these answer with temporary
 * cloud credentials (AWS IMDS, GCP and Azure metadata), so a registry that could make the probe
 * call them, as a token realm or a redirect, would read those credentials (SSRF). The realm policy
 * and the redirect policy both ask this module, so one list protects every request the registry
 * can steer.
 *
 * Hosts are checked as the WHATWG URL parser leaves them: it already rewrites the decimal, hex and
 * octal spellings of an IPv4 address (2852039166, 0xA9FEA9FE, 0251.0376.0251.0376, 169.254.43518)
 * to dotted decimal, and an IPv4-mapped IPv6 literal ([::ffff:169.254.169.254]) to hex groups
 * ([::ffff:a9fe:a9fe]); the IPv6 forms that embed an IPv4 address are decoded here. A DNS name that
 * resolves to a metadata address is caught when it is looked up (guardedLookup), before any
 * connection is opened; behind a forward proxy the proxy resolves names and this cannot see them.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { ForbiddenAddressError } from './errors.ts';

/**
 * Names of metadata services that are not IP literals. GCP: metadata.google.internal and
 * metadata.goog (https://cloud.google.com/compute/docs/metadata/querying-metadata); AWS's VPC
 * resolver answers instance-data and instance-data.ec2.internal with 169.254.169.254.
 */
const METADATA_HOST_NAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** The host name in lower case, without a trailing dot or IPv6 brackets. */
export function bareHostname(hostname: string): string {
  const lower = hostname.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** Why the probe must never call `hostname` (a metadata or link-local address), or null when it may. */
export function forbiddenHostReason(hostname: string): string | null {
  const host = bareHostname(hostname);
  if (METADATA_HOST_NAMES.has(host)) return `the cloud metadata service (${host})`;
  const ipv4 = parseIpv4(host) ?? ipv4InIpv6(host);
  if (ipv4) {
    if (ipv4[0] === 169 && ipv4[1] === 254) {
      return `the link-local address ${ipv4.join('.')} (cloud metadata)`;
    }
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

/** Four octets of a dotted-decimal IPv4 literal, or null. */
export function parseIpv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/**
 * The IPv4 address an IPv6 literal reaches: IPv4-mapped ::ffff:a.b.c.d, the deprecated
 * IPv4-compatible ::a.b.c.d, NAT64's well-known prefix 64:ff9b::/96 (RFC 6052, which a NAT64
 * gateway translates to the IPv4 address) and 6to4 2002:AABB:CCDD::/48 (RFC 3056).
 */
function ipv4InIpv6(host: string): number[] | null {
  const g = parseIpv6(host);
  if (!g) return null;
  const tail = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return tail(g[6]!, g[7]!);
  if (zero(0, 6) && (g[6] !== 0 || g[7]! > 1)) return tail(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return tail(g[6]!, g[7]!);
  if (g[0] === 0x2002) return tail(g[1]!, g[2]!);
  return null;
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

/** The shape of dns.lookup that net.connect calls (with `all: true` under autoSelectFamily). */
export type LookupFunction = (
  hostname: string,
  options: { all?: boolean; family?: number | string; hints?: number },
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * A lookup for net.connect that refuses a host name resolving to a metadata or link-local address
 * (DNS rebinding, or a registry-named host such as a realm or redirect target pointing there),
 * before the socket connects. `trustedHost`, the registry the user configured, is not checked:
 * where it lives is the user's choice.
 */
export function guardedLookup(
  trustedHost: string | null,
  lookup: LookupFunction = dnsLookup as LookupFunction,
): LookupFunction {
  const trusted = trustedHost === null ? null : bareHostname(trustedHost);
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error || bareHostname(hostname) === trusted) {
        callback(error, address, family);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      for (const resolved of addresses) {
        const reason = forbiddenHostReason(resolved);
        if (reason) {
          callback(new ForbiddenAddressError(hostname, resolved, reason), address, family);
          return;
        }
      }
      callback(null, address, family);
    });
  };
}
