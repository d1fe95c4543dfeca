/**
 * The registry layer's own types: the steps of the pull path and their timings, the TLS and rate
 * limit a registry declares, a verified blob. They sit at the bottom, as go-containerregistry's
 * pkg/v1 and regclient's types/ do: the probe layer builds its result (functions/probe/result.ts)
 * from them, and nothing here imports from above. Their field names are part of the JSON result
 * contract that other tools parse, so change them only with care.
 */

/** The steps of the docker pull path, in the order a probe walks them. */
export type StepName =
  | 'ping'
  | 'token'
  | 'manifest-head'
  | 'manifest-get'
  /** Only after MANIFEST_UNKNOWN: tells a missing repository (NAME_UNKNOWN) from a missing tag. */
  | 'tags-list'
  | 'platform-manifest'
  | 'blob-head'
  /** A single-platform image's config, read for the platform it names (in place of its HEAD). */
  | 'config-get'
  | 'blob-redirect'
  | 'blob-get';

/** Phase timings of one HTTP exchange. A phase that did not happen (reused connection, IP literal, plain HTTP) is null. */
export interface StepTimings {
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  ttfbMs: number | null;
  totalMs: number;
}

/** One HTTP exchange of the pull path, as the probe's result lists it (`ProbeStep`). */
export interface RegistryStep {
  name: StepName;
  /** POST only for a token obtained with docker's identity (refresh) token. */
  method: 'GET' | 'HEAD' | 'POST';
  /** Never carries credentials or tokens: query strings of token requests are kept, user-info is stripped. */
  url: string;
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  host: string;
  timings: StepTimings;
  reusedConnection: boolean;
}

export interface RateLimit {
  limit: number | null;
  remaining: number | null;
  windowSeconds: number | null;
  source: string | null;
}

export interface TlsInfo {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validTo: string;
  daysRemaining: number;
  protocol: string | null;
}

/** Present only when the probe was asked to download and verify a layer (--verify-blob). */
export interface VerifiedBlob {
  digest: string;
  bytes: number;
  throughputBytesPerSecond: number;
}
