/**
 * Validates a config: first its shape (zod), then the rules that span fields (unique target names,
 * regions that exist, ECR credentials on ECR hosts, a schedule the Lambda can keep). Every problem
 * is reported at once, each as `field.path: problem`, so one synth shows the whole list.
 */
import { parseEcrHost } from '../../functions/registry/profiles.ts';
import { ConfigError, formatPath } from './errors.ts';
import { checkImageReference, type ImageReferenceCheck } from './image-reference.ts';
import { type CanaryConfig, canaryConfigSchema } from './schema.ts';
import { planShards } from './shards.ts';

export function validateConfig(
  input: unknown,
  source = 'config',
  checkRef = checkImageReference,
): CanaryConfig {
  const parsed = canaryConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
      { cause: parsed.error },
    );
  }
  const problems = crossFieldProblems(parsed.data, checkRef);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
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
  if (outageRegions !== undefined && outageRegions > config.probeRegions.length) {
    problems.push(
      `alarms.outageRegions: ${outageRegions} is more than the ${config.probeRegions.length} probe regions`,
    );
  }

  for (const region of Object.keys(config.vpc ?? {})) {
    if (!regions.has(region)) problems.push(`vpc.${region}: ${region} is not one of probeRegions`);
  }

  const seen = new Map<string, number>();
  config.targets.forEach((target, i) => {
    const at = `targets[${i}]`;
    const first = seen.get(target.name.toLowerCase());
    if (first !== undefined) {
      problems.push(
        `${at}.name: "${target.name}" is already the name of targets[${first}] (names are case-insensitive)`,
      );
    } else {
      seen.set(target.name.toLowerCase(), i);
    }

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
    const periodSeconds = config.schedule.everyMinutes * 60;
    if (sizing.timeoutSeconds > periodSeconds) {
      problems.push(
        `schedule.everyMinutes: a run in ${region} may take ${sizing.timeoutSeconds} s (${sizing.targetCount} targets per shard in ${shards} shards, concurrency ${config.concurrency}), longer than the ${periodSeconds} s between runs; raise concurrency or the interval`,
      );
    }
  }
  return problems;
}
