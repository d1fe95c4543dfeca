/**
 * The result of one probe: the JSON contract that the CLI prints with --json, the Lambda logs,
 * and the publishers read. Other tools parse these field names, so change them only with care.
 */
import type { DiagnosisCode, WarningCode } from './codes.ts';

export type ProbeStatus = 'healthy' | 'degraded' | 'failing';

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

export interface ProbeStep {
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

export interface Diagnosis {
  code: DiagnosisCode;
  summary: string;
  evidence: string[];
  nextSteps: string[];
  runbook: string;
}

export interface ProbeWarning {
  code: WarningCode;
  summary: string;
  /** Pasteable steps for the warning, as a diagnosis has. Present on every warning the probe makes. */
  nextSteps?: string[];
  /** docs/runbooks/<CODE>.md under the configured runbook base URL. Present on every warning the probe makes. */
  runbook?: string;
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

export interface ProbeResult {
  /** The reference as the user gave it. */
  ref: string;
  /** Registry host (with port), after normalisation: docker.io becomes registry-1.docker.io. */
  registry: string;
  repository: string;
  /** The tag or digest probed. */
  reference: string;
  status: ProbeStatus;
  diagnosis: Diagnosis | null;
  warnings: ProbeWarning[];
  digest: string | null;
  /** Platforms found in the index (or the single manifest's platform when known). */
  platforms: string[];
  rateLimit: RateLimit | null;
  tls: TlsInfo | null;
  steps: ProbeStep[];
  durationMs: number;
  verifiedBlob?: VerifiedBlob;
}
