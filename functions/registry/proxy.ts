/**
 * Which proxy, if any, a request goes through: HTTPS_PROXY for https URLs, HTTP_PROXY for http
 * URLs, unless NO_PROXY matches, the way docker (Go's golang.org/x/net/http/httpproxy) decides:
 * - upper-case variables win over lower-case ones, and empty ones count as unset, as in Go;
 * - localhost and loopback addresses never go through a proxy;
 * - NO_PROXY is a comma-separated list of `*` (no proxy at all), IP addresses, CIDR ranges and
 *   host names with an optional port; `example.com` matches the host and its subdomains,
 *   `.example.com` (or `*.example.com`) only the subdomains.
 */
import { BlockList, isIP } from 'node:net';

export interface ProxySettings {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
}

/** Proxy settings from the environment, like docker reads them. */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  // As golang.org/x/net/http/httpproxy (what docker uses): the upper-case name first, then the
  // lower-case one, and an empty value counts as unset, so `https_proxy=` does not hide HTTPS_PROXY.
  const pick = (name: string): string | undefined =>
    [env[name], env[name.toLowerCase()]].map((v) => v?.trim()).find((v) => v !== undefined && v !== '');
  const settings: ProxySettings = {};
  const https = pick('HTTPS_PROXY');
  const http = pick('HTTP_PROXY');
  const no = pick('NO_PROXY');
  if (https !== undefined) settings.httpsProxy = https;
  if (http !== undefined) settings.httpProxy = http;
  if (no !== undefined) settings.noProxy = no;
  return settings;
}

/** The proxy URL for `target`, or null to connect directly. Throws on a proxy URL that does not parse. */
export function proxyFor(target: URL, settings: ProxySettings): URL | null {
  const raw = target.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (!raw) return null;
  const host = bareHost(target.hostname);
  if (host === 'localhost' || isLoopback(host)) return null;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (settings.noProxy && matchesNoProxy(host, port, settings.noProxy)) return null;
  // Go accepts a bare host:port and assumes http://.
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
}

/** Whether the NO_PROXY list exempts host:port. */
export function matchesNoProxy(hostname: string, port: string, noProxy: string): boolean {
  const host = bareHost(hostname);
  for (const rawEntry of noProxy.split(',')) {
    const entry = rawEntry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    const { name, entryPort } = splitEntry(entry);
    if (entryPort !== null && entryPort !== port) continue;
    if (isIP(name)) {
      if (name === host) return true;
      continue;
    }
    let suffix = name.startsWith('*') ? name.slice(1) : name;
    const matchesExact = !suffix.startsWith('.');
    if (matchesExact) suffix = `.${suffix}`;
    if (host.endsWith(suffix) || (matchesExact && host === suffix.slice(1))) return true;
  }
  return false;
}

function splitEntry(entry: string): { name: string; entryPort: string | null } {
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    const name = entry.slice(1, end === -1 ? undefined : end);
    const rest = end === -1 ? '' : entry.slice(end + 1);
    return { name, entryPort: rest.startsWith(':') ? rest.slice(1) : null };
  }
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [name, entryPort] = entry.split(':') as [string, string];
    return { name, entryPort };
  }
  return { name: entry, entryPort: null };
}

function inCidr(host: string, cidr: string): boolean {
  const family = isIP(host);
  if (family === 0) return false;
  const [network, prefix] = cidr.split('/') as [string, string];
  const networkFamily = isIP(network);
  if (networkFamily !== family || !/^\d+$/.test(prefix)) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  try {
    const list = new BlockList();
    list.addSubnet(network, Number(prefix), type);
    return list.check(host, type);
  } catch {
    return false;
  }
}

function isLoopback(host: string): boolean {
  return host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function bareHost(hostname: string): string {
  const lower = hostname.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}
