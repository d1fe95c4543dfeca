/**
 * The closed set of diagnosis and warning codes. Every failure maps to exactly one diagnosis code;
 * each code has a runbook page at docs/runbooks/<CODE>.md.
 */
export const DIAGNOSIS_CODES = [
  'DNS_FAILURE',
  'CONNECTION_REFUSED',
  'CONNECTION_RESET',
  'TIMEOUT',
  'TLS_UNTRUSTED',
  'TLS_EXPIRED',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_ERROR',
  'PROXY_ERROR',
  'AUTH_REQUIRED',
  'AUTH_FAILED',
  'TOKEN_SERVICE_ERROR',
  'DENIED',
  'NAME_UNKNOWN',
  'MANIFEST_UNKNOWN',
  'PLATFORM_MISSING',
  'BLOB_UNKNOWN',
  'DIGEST_MISMATCH',
  'RATE_LIMITED',
  'REGISTRY_UNAVAILABLE',
  'PROTOCOL_ERROR',
  'CREDENTIALS_UNAVAILABLE',
] as const;

export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

/**
 * MIRROR_DIGEST_MISMATCH: a mirror of the target (its config's `mirrors`) serves another digest for
 * the same reference than the target's own registry (functions/probe/mirrors.ts).
 */
export const WARNING_CODES = ['RATE_LIMIT_LOW', 'CERT_EXPIRING', 'SLOW', 'MIRROR_DIGEST_MISMATCH'] as const;

export type WarningCode = (typeof WARNING_CODES)[number];

export const DEFAULT_RUNBOOK_BASE_URL =
  'https://github.com/registry-canary/registry-canary/blob/main/docs/runbooks';

export function runbookUrl(code: DiagnosisCode | WarningCode, baseUrl = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${code}.md`;
}
