/**
 * Telling a forward proxy's own answer from the registry's. Through a proxy, an error can come
 * from the proxy (its access rules, its login, its own failure to reach the registry) or from the
 * registry behind it; blaming the registry for the proxy's refusal sends the engineer to grant a
 * pull permission nobody withheld.
 *
 * - A CONNECT the proxy answers with anything but 200 (HTTPS registries): undici's ProxyAgent
 *   destroys the socket and fails the request with a RequestAbortedError (code UND_ERR_ABORTED)
 *   whose message carries the status, `Proxy response (403) !== 200 when HTTP Tunneling`
 *   (node_modules/undici/lib/dispatcher/proxy-agent.js:196-200, undici 7.30). The proxy's headers
 *   and body are gone by then; the status is all there is.
 * - A 407 to a plain-HTTP request (sent to the proxy as an absolute URL, no CONNECT): undici's
 *   Http1ProxyWrapper turns it into InvalidArgumentError('Proxy Authentication Required (407)')
 *   (proxy-agent.js:57-63).
 * - Any other status to a plain-HTTP request reaches the probe as a response. Only its headers
 *   say whether the proxy wrote it: PROXY_ANSWER_SIGNATURES below, each from a real capture or a
 *   standard. `Via` is not one of them: proxies add it to the registry's answers they forward too
 *   (RFC 9110 section 7.6.3).
 */

/** One header by which a proxy marks an answer it wrote itself. */
export interface ProxyAnswerSignature {
  /** Lower-case header name. */
  header: string;
  /** Tested against the header's value; any value matches when absent. */
  value?: RegExp;
  /** Who writes it, for the evidence. */
  writer: string;
  /** Where the header was captured or specified. */
  source: string;
}

export const PROXY_ANSWER_SIGNATURES: readonly ProxyAnswerSignature[] = [
  {
    // Squid's generated error pages carry X-Squid-Error with the page's name, e.g.
    // `X-Squid-Error: ERR_ACCESS_DENIED 0` on the 403 of an http_access deny, captured with
    // `Server: squid/3.1.10` and `Via: 1.0 localhost (squid/3.1.10)` in mozilla/identity-ops#34
    // and with squid/3.1.20 in sipgate/sipgate.io#35. Squid never adds it to a forwarded answer.
    header: 'x-squid-error',
    writer: 'Squid',
    source: 'https://github.com/mozilla/identity-ops/issues/34',
  },
  {
    // The same captures: an error page Squid wrote names Squid as its Server; an answer Squid
    // forwards keeps the origin's own Server header.
    header: 'server',
    value: /^squid\b/i,
    writer: 'Squid',
    source: 'https://github.com/sipgate/sipgate.io/issues/35',
  },
  {
    // RFC 9209 (The Proxy-Status HTTP Response Header Field) section 2.1.1: the `error` parameter
    // says the proxy encountered an error, and which (http_request_denied, dns_error,
    // destination_unavailable...); a proxy that generated the answer says so here.
    header: 'proxy-status',
    value: /;\s*error\s*=/i,
    writer: 'the proxy (RFC 9209 Proxy-Status)',
    source: 'https://www.rfc-editor.org/rfc/rfc9209#section-2.1.1',
  },
];

/** Which signature marks `headers` (lower-case names) as the proxy's own answer, or null. */
export function proxyAnswerSignature(headers: Readonly<Record<string, string>>): ProxyAnswerSignature | null {
  for (const signature of PROXY_ANSWER_SIGNATURES) {
    const value = headers[signature.header];
    if (value === undefined) continue;
    if (signature.value === undefined || signature.value.test(value)) return signature;
  }
  return null;
}

/** The status of a CONNECT the proxy refused, from undici's error message, or null. */
export function refusedConnectStatus(error: unknown): number | null {
  return statusIn(error, /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/);
}

/** 407 when undici reported a plain-HTTP request's 407 from the proxy, or null. */
export function refusedForwardStatus(error: unknown): number | null {
  return statusIn(error, /^Proxy Authentication Required \((407)\)$/);
}

function statusIn(error: unknown, pattern: RegExp): number | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const message = (current as { message?: unknown }).message;
    const match = typeof message === 'string' ? pattern.exec(message) : null;
    if (match) return Number(match[1]);
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
