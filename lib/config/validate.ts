/**
 * Validates a config: its shape (zod), then the rules that span fields (regions the CDK knows, in one
 * partition; unique target names and metric ids; ECR credentials on ECR hosts; alarm windows
 * CloudWatch accepts; a schedule the Lambda can keep; a CA bundle that can be read). Every problem is
 * reported at once, each as `field.path: problem`, so one synth shows the whole list.
 *
 * "At once" includes a config whose shape is wrong: each top-level field and each target field is
 * then parsed on its own, and every rule whose fields parsed still runs. Only a rule that needs a
 * field with a shape problem is skipped (that field's problem is already in the list).
 */
import { readFileSync } from 'node:fs';
import { parseEcrHost } from '../../functions/registry/profiles.ts';
import { type CaBundleDeps, checkCaBundle } from './ca-bundle.ts';
import { ConfigError, formatPath } from './errors.ts';
import { checkImageReference, type ImageReferenceCheck, mirrorImage } from './image-reference.ts';
import { metricIdStem } from './metric-id.ts';
import { regionProblems } from './region-rules.ts';
import {
  type CanaryConfig,
  canaryConfigSchema,
  MAX_MIRRORS,
  type TargetConfig,
  targetSchema,
} from './schema.ts';
import { scheduleProblems } from './shards.ts';

export interface ValidateDeps extends CaBundleDeps {
  checkRef: (ref: string) => ImageReferenceCheck;
}

/**
 * CloudWatch's limit on Period × EvaluationPeriods: at most one day for periods under an hour,
 * seven days otherwise (PutMetricAlarm, `Period`).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
const MAX_ALARM_WINDOW_SHORT_PERIOD_S = 86_400;
/** ... and for periods of one hour or more. */
const MAX_ALARM_WINDOW_S = 7 * 86_400;

/**
 * What the cross-field rules read: the fields whose shape parsed. With a valid shape every field is
 * here; otherwise the ones that failed are missing, and `targets` holds each target's valid fields.
 */
export type ConfigParts = Partial<Omit<CanaryConfig, 'targets'>> & {
  targets?: Partial<TargetConfig>[];
  /** Every target, when every one parsed whole (the sizing rules need them all). */
  wholeTargets?: TargetConfig[];
  /** The keys of `vpc`, also when a placement in it is malformed. */
  vpcRegions?: string[];
};

/**
 * @param source how the config is named in the error message (its path)
 * @param deps `baseDir` defaults to the working directory; loadConfig passes the config file's own
 */
export function validateConfig(
  input: unknown,
  source = 'config',
  deps: Partial<ValidateDeps> = {},
): CanaryConfig {
  const { checkRef = checkImageReference, baseDir = process.cwd() } = deps;
  const readFile = deps.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  const parsed = canaryConfigSchema.safeParse(input);
  const parts: ConfigParts = parsed.success
    ? { ...parsed.data, wholeTargets: parsed.data.targets, vpcRegions: Object.keys(parsed.data.vpc ?? {}) }
    : parseParts(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  problems.push(...crossFieldProblems(parts, checkRef));
  // The bundle is read here, once: what was checked is what the stacks ship (inlined as pem).
  const ca = parts.caBundle
    ? checkCaBundle(parts.caBundle, { baseDir, readFile, ...(deps.cwd ? { cwd: deps.cwd } : {}) })
    : undefined;
  if (ca && !ca.ok) problems.push(ca.problem);
  if (!parsed.success) throw new ConfigError(source, problems, { cause: parsed.error });
  if (problems.length > 0) throw new ConfigError(source, problems);
  const config = parsed.data;
  return ca?.ok ? { ...config, caBundle: ca.bundle } : config;
}

/** Each field of an object schema parsed on its own: the ones that parse, with their defaults. */
function parseFields(
  shape: Readonly<Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }>>,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const field = schema.safeParse(raw[key]);
    if (field.success && field.data !== undefined) out[key] = field.data;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parts of a config whose shape did not parse as a whole. */
function parseParts(input: unknown): ConfigParts {
  if (!isRecord(input)) return {};
  const { targets: _targets, ...topLevel } = canaryConfigSchema.shape;
  const parts = parseFields(topLevel, input) as ConfigParts;
  const rawVpc = input['vpc'];
  if (isRecord(rawVpc)) parts.vpcRegions = Object.keys(rawVpc);
  const rawTargets = input['targets'];
  if (Array.isArray(rawTargets)) {
    parts.targets = rawTargets.map((raw) =>
      isRecord(raw) ? (parseFields(targetSchema.shape, raw) as Partial<TargetConfig>) : {},
    );
    const whole = rawTargets.map((raw) => targetSchema.safeParse(raw));
    if (whole.length > 0 && whole.every((t) => t.success)) parts.wholeTargets = whole.map((t) => t.data!);
  }
  return parts;
}

function crossFieldProblems(parts: ConfigParts, checkRef: (ref: string) => ImageReferenceCheck): string[] {
  const problems: string[] = regionProblems(parts);
  const { probeRegions, alarms, schedule } = parts;

  if (probeRegions && new Set(probeRegions).size !== probeRegions.length) {
    problems.push('probeRegions: lists a region twice');
  }

  if (alarms) {
    const { datapointsToAlarm, evaluationPeriods, outageRegions } = alarms;
    if (datapointsToAlarm > evaluationPeriods) {
      problems.push(
        `alarms.datapointsToAlarm: ${datapointsToAlarm} is more than alarms.evaluationPeriods (${evaluationPeriods})`,
      );
    }
    // CloudWatch refuses (at deploy, not at synth) an alarm that looks back further than this.
    if (schedule) {
      const periodSeconds = schedule.everyMinutes * 60;
      const maxWindow = periodSeconds < 3_600 ? MAX_ALARM_WINDOW_SHORT_PERIOD_S : MAX_ALARM_WINDOW_S;
      if (periodSeconds * evaluationPeriods > maxWindow) {
        problems.push(
          `alarms.evaluationPeriods: ${evaluationPeriods} periods of ${schedule.everyMinutes} min look back ${(periodSeconds * evaluationPeriods) / 60} min; CloudWatch allows at most ${maxWindow / 60} min (${Math.floor(maxWindow / periodSeconds)} periods) for this period`,
        );
      }
    }
    if (outageRegions !== undefined && probeRegions && outageRegions > probeRegions.length) {
      problems.push(
        `alarms.outageRegions: ${outageRegions} is more than the ${probeRegions.length} probe regions`,
      );
    }
  }

  problems.push(...targetProblems(parts.targets ?? [], checkRef));

  const { wholeTargets, concurrency, defaults } = parts;
  if (wholeTargets && !wholeTargets.some((t) => t.enabled))
    problems.push('targets: every target is disabled');
  if (wholeTargets && probeRegions && schedule && concurrency !== undefined && defaults) {
    problems.push(
      ...scheduleProblems({ targets: wholeTargets, probeRegions, schedule, concurrency, defaults }),
    );
  }
  return problems;
}

function targetProblems(
  targets: readonly Partial<TargetConfig>[],
  checkRef: (ref: string) => ImageReferenceCheck,
): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const stems = new Map<string, number>();
  targets.forEach((target, i) => {
    const at = `targets[${i}]`;
    if (target.name !== undefined) {
      const name = target.name;
      const first = seen.get(name.toLowerCase());
      const sameStem = stems.get(metricIdStem(name));
      if (first !== undefined) {
        problems.push(
          `${at}.name: "${name}" is already the name of targets[${first}] (names are case-insensitive)`,
        );
      } else if (sameStem !== undefined) {
        // Dashboard graphs hold every target's metric-math ids; CloudWatch refuses two with one id.
        const other = targets[sameStem]!.name;
        problems.push(
          `${at}.name: "${name}" and targets[${sameStem}].name "${other}" differ only in ".", "_" or "-", which metric ids cannot tell apart (both become "${metricIdStem(name)}"); rename one`,
        );
      }
      seen.set(name.toLowerCase(), first ?? i);
      stems.set(metricIdStem(name), sameStem ?? i);
    }

    if (target.image !== undefined) {
      const ref = checkRef(target.image);
      if (!ref.ok) {
        problems.push(`${at}.image: invalid reference "${target.image}": ${ref.reason}`);
      } else if (
        target.credentials?.type === 'ecr' &&
        !target.credentials.region &&
        !parseEcrHost(ref.registry)
      ) {
        problems.push(
          `${at}.credentials: type "ecr" needs an ECR host (<account>.dkr.ecr.<region>.amazonaws.com) or an explicit region; "${ref.registry}" is neither`,
        );
      }
    }
    problems.push(...mirrorProblems(target, at, checkRef));
  });
  return problems;
}

/**
 * Each mirror's reference, and that it is a mirror: not the target's own repository (that would
 * compare the registry with itself), and not listed twice. A mirror without a tag or digest is
 * checked with the target's, as it is probed.
 */
function mirrorProblems(
  target: Partial<TargetConfig>,
  at: string,
  checkRef: (ref: string) => ImageReferenceCheck,
): string[] {
  const problems: string[] = [];
  const primary = target.image !== undefined ? checkRef(target.image) : undefined;
  const seen = new Map<string, number>();
  if ((target.mirrors?.length ?? 0) > MAX_MIRRORS) {
    problems.push(
      `${at}.mirrors: at most ${MAX_MIRRORS} mirrors per target (each is probed beside it, in its concurrency slot), not ${target.mirrors!.length}`,
    );
  }
  (target.mirrors ?? []).forEach((mirror, j) => {
    const where = `${at}.mirrors[${j}]`;
    const own = checkRef(mirror.image);
    if (!own.ok) {
      problems.push(`${where}.image: invalid reference "${mirror.image}": ${own.reason}`);
      return;
    }
    const ref = primary?.ok ? checkRef(mirrorImage(mirror.image, target.image!)) : own;
    if (!ref.ok) return;
    if (primary?.ok && ref.registry === primary.registry && ref.repository === primary.repository) {
      problems.push(
        `${where}.image: "${mirror.image}" is the target's own repository (${primary.registry}/${primary.repository}), not a mirror of it`,
      );
    }
    const key = `${ref.registry}/${ref.repository}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(`${where}.image: "${mirror.image}" is already ${at}.mirrors[${first}] (${key})`);
    } else seen.set(key, j);
    if (mirror.credentials.type === 'ecr' && !mirror.credentials.region && !parseEcrHost(ref.registry)) {
      problems.push(
        `${where}.credentials: type "ecr" needs an ECR host (<account>.dkr.ecr.<region>.amazonaws.com) or an explicit region; "${ref.registry}" is neither`,
      );
    }
  });
  return problems;
}
