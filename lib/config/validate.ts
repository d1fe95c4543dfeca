/**
 * Validates a config: first its shape (zod), then the rules that span fields (unique target names
 * and metric ids, regions that exist, ECR credentials on ECR hosts, alarm windows CloudWatch
 * accepts, a schedule the Lambda can keep, a CA bundle that can be read). Every problem is reported
 * at once, each as `field.path: problem`, so one synth shows the whole list.
 */
import { readFileSync } from 'node:fs';
import { parseEcrHost } from '../../functions/registry/profiles.ts';
import { type CaBundleDeps, checkCaBundle } from './ca-bundle.ts';
import { ConfigError, formatPath } from './errors.ts';
import { checkImageReference, type ImageReferenceCheck } from './image-reference.ts';
import { metricIdStem } from './metric-id.ts';
import { type CanaryConfig, canaryConfigSchema } from './schema.ts';
import { planShards } from './shards.ts';

export interface ValidateDeps extends CaBundleDeps {
  checkRef: (ref: string) => ImageReferenceCheck;
}

/** CloudWatch's limit on period × evaluationPeriods for periods under one hour (PutMetricAlarm). */
const MAX_ALARM_WINDOW_SHORT_PERIOD_S = 86_400;
/** ... and for periods of one hour or more. */
const MAX_ALARM_WINDOW_S = 7 * 86_400;

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
  if (!parsed.success) {
    const shapeProblems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    // Image references need no other field: report them with the shape, so one synth lists both.
    throw new ConfigError(source, [...shapeProblems, ...rawReferenceProblems(input, checkRef)], {
      cause: parsed.error,
    });
  }
  const config = parsed.data;
  const problems = crossFieldProblems(config, checkRef);
  // The bundle is read here, once: what was checked is what the stacks ship (inlined as pem).
  const ca = config.caBundle ? checkCaBundle(config.caBundle, { baseDir, readFile }) : undefined;
  if (ca && !ca.ok) problems.push(ca.problem);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return ca?.ok ? { ...config, caBundle: ca.bundle } : config;
}

/** Invalid `targets[i].image` strings of a config whose shape did not parse. */
function rawReferenceProblems(input: unknown, checkRef: (ref: string) => ImageReferenceCheck): string[] {
  const targets = (input as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets)) return [];
  return targets.flatMap((target: unknown, i) => {
    const image = (target as { image?: unknown } | null)?.image;
    if (typeof image !== 'string') return [];
    const ref = checkRef(image);
    return ref.ok ? [] : [`targets[${i}].image: invalid reference "${image}": ${ref.reason}`];
  });
}

function crossFieldProblems(config: CanaryConfig, checkRef: (ref: string) => ImageReferenceCheck): string[] {
  const problems: string[] = [];
  const regions = new Set(config.probeRegions);

  if (regions.size !== config.probeRegions.length) problems.push('probeRegions: lists a region twice');

  const { datapointsToAlarm, evaluationPeriods, outageRegions } = config.alarms;
  if (datapointsToAlarm > evaluationPeriods) {
    problems.push(
      `alarms.datapointsToAlarm: ${datapointsToAlarm} is more than alarms.evaluationPeriods (${evaluationPeriods})`,
    );
  }
  // CloudWatch refuses (at deploy, not at synth) an alarm that looks back further than this.
  const periodSeconds = config.schedule.everyMinutes * 60;
  const maxWindow = periodSeconds < 3_600 ? MAX_ALARM_WINDOW_SHORT_PERIOD_S : MAX_ALARM_WINDOW_S;
  if (periodSeconds * evaluationPeriods > maxWindow) {
    problems.push(
      `alarms.evaluationPeriods: ${evaluationPeriods} periods of ${config.schedule.everyMinutes} min look back ${(periodSeconds * evaluationPeriods) / 60} min; CloudWatch allows at most ${maxWindow / 60} min (${Math.floor(maxWindow / periodSeconds)} periods) for this period`,
    );
  }
  if (outageRegions !== undefined && outageRegions > config.probeRegions.length) {
    problems.push(
      `alarms.outageRegions: ${outageRegions} is more than the ${config.probeRegions.length} probe regions`,
    );
  }

  for (const region of Object.keys(config.vpc ?? {})) {
    if (!regions.has(region)) problems.push(`vpc.${region}: ${region} is not one of probeRegions`);
  }

  const seen = new Map<string, number>();
  const stems = new Map<string, number>();
  config.targets.forEach((target, i) => {
    const at = `targets[${i}]`;
    const first = seen.get(target.name.toLowerCase());
    const sameStem = stems.get(metricIdStem(target.name));
    if (first !== undefined) {
      problems.push(
        `${at}.name: "${target.name}" is already the name of targets[${first}] (names are case-insensitive)`,
      );
    } else if (sameStem !== undefined) {
      // Dashboard graphs hold every target's metric-math ids; CloudWatch refuses two with one id.
      const other = config.targets[sameStem]!.name;
      problems.push(
        `${at}.name: "${target.name}" and targets[${sameStem}].name "${other}" differ only in ".", "_" or "-", which metric ids cannot tell apart (both become "${metricIdStem(target.name)}"); rename one`,
      );
    }
    seen.set(target.name.toLowerCase(), first ?? i);
    stems.set(metricIdStem(target.name), sameStem ?? i);

    const ref = checkRef(target.image);
    if (!ref.ok) {
      problems.push(`${at}.image: invalid reference "${target.image}": ${ref.reason}`);
    } else if (
      target.credentials.type === 'ecr' &&
      !target.credentials.region &&
      !parseEcrHost(ref.registry)
    ) {
      problems.push(
        `${at}.credentials: type "ecr" needs an ECR host (<account>.dkr.ecr.<region>.amazonaws.com) or an explicit region; "${ref.registry}" is neither`,
      );
    }

    target.regions?.forEach((region, j) => {
      if (!regions.has(region)) problems.push(`${at}.regions[${j}]: ${region} is not one of probeRegions`);
    });
  });

  if (!config.targets.some((t) => t.enabled)) problems.push('targets: every target is disabled');

  for (const region of config.probeRegions) {
    // A large region is split into shards (lib/config/shards.ts); only a shard that still cannot
    // finish between two runs is a problem.
    const { sizing, shards } = planShards(config, region);
    if (sizing.timeoutSeconds > periodSeconds) {
      problems.push(
        `schedule.everyMinutes: a run in ${region} may take ${sizing.timeoutSeconds} s (${sizing.targetCount} targets per shard in ${shards} shards, concurrency ${config.concurrency}), longer than the ${periodSeconds} s between runs; raise concurrency or the interval`,
      );
    }
  }
  return problems;
}
