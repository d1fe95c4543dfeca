/**
 * The result of one probe: the JSON contract that the CLI prints with --json, the Lambda logs,
 * and the publishers read. Other tools parse these field names, so change them only with care.
 */
import type {
  RateLimit,
  RegistryStep,
  StepName,
  StepTimings,
  TlsInfo,
  VerifiedBlob,
} from '../registry/types.ts';
import type { DiagnosisCode, WarningCode } from './codes.ts';

// The registry layer's types, re-exported: the result contract is read from this module.
export type { RateLimit, StepName, StepTimings, TlsInfo, VerifiedBlob };
/** One HTTP exchange of the pull path (functions/registry/types.ts). */
export type ProbeStep = RegistryStep;

export type ProbeStatus = 'healthy' | 'degraded' | 'failing';

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
  /**
   * The target's mirrors (a config target's `mirrors`), each probed as the target is, in the
   * config's order. Absent when the target has none, so a plain `probe <ref>` result is unchanged.
   */
  mirrors?: MirrorResult[];
}

/** One mirror of a target, as its own probe ended (functions/probe/mirrors.ts). */
export interface MirrorResult {
  /** The config's `name` of the mirror, when it has one. */
  name?: string;
  /** The mirror's reference as probed: the config's, with the target's tag or digest when it had none. */
  image: string;
  registry: string;
  repository: string;
  reference: string;
  status: ProbeStatus;
  /** The mirror's diagnosis code, else its first warning's, else null. */
  code: DiagnosisCode | WarningCode | null;
  /** What the mirror's diagnosis says, when it failed. */
  summary: string | null;
  digest: string | null;
  durationMs: number;
}
