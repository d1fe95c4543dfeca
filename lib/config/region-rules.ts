/**
 * The rules on region names in a config: every name is a region the AWS CDK knows
 * (lib/config/regions.ts, generated from aws-cdk-lib/region-info), the home region and the probe
 * regions share one partition, and a target's regions and the VPC placements are probe regions.
 *
 * Pure data, no aws-cdk-lib import: the command-line tool validates configs without the CDK.
 */
import { REGION_FACTS_CDK_VERSION, REGION_PARTITIONS } from './regions.ts';

/** The partition of a region the CDK knows (aws, aws-cn, aws-us-gov, ...), or undefined. */
export function partitionOf(region: string): string | undefined {
  return Object.hasOwn(REGION_PARTITIONS, region) ? REGION_PARTITIONS[region] : undefined;
}

export function isKnownRegion(region: string): boolean {
  return partitionOf(region) !== undefined;
}

/** `field: "name" is not an AWS region ...`, with the nearest known name when one is close. */
export function unknownRegionProblem(field: string, region: string): string | undefined {
  if (isKnownRegion(region)) return undefined;
  const near = nearestRegion(region.toLowerCase());
  if (near) return `${field}: "${region}" is not an AWS region; did you mean "${near}"?`;
  return `${field}: "${region}" is not an AWS region (lib/config/regions.ts lists the ${Object.keys(REGION_PARTITIONS).length} that aws-cdk-lib ${REGION_FACTS_CDK_VERSION} knows; for a newer region, upgrade aws-cdk-lib and run \`npm run generate:regions\`)`;
}

/** The fields of a config the region rules read; any may be missing when its shape did not parse. */
export interface RegionFields {
  homeRegion?: string;
  probeRegions?: readonly string[];
  /** The keys of `vpc`, whether or not their placements are valid. */
  vpcRegions?: readonly string[];
  targets?: readonly (
    | { regions?: readonly string[] | undefined; credentials?: { type: string; region?: string } | undefined }
    | undefined
  )[];
}

export function regionProblems(config: RegionFields): string[] {
  const problems: string[] = [];
  const { homeRegion, probeRegions } = config;

  if (homeRegion !== undefined) push(problems, unknownRegionProblem('homeRegion', homeRegion));
  for (const [i, region] of (probeRegions ?? []).entries()) {
    push(problems, unknownRegionProblem(`probeRegions[${i}]`, region));
  }

  // One partition: the probes write their results to the home region (CloudWatch, DynamoDB) with
  // their own role's credentials, and IAM credentials of one partition cannot reach another.
  // https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
  // Measured against the home region's partition, or, when the home region is not a known
  // region (its own problem above), against the first probe region's.
  const reference = referenceRegion(homeRegion, probeRegions);
  if (reference) {
    for (const [i, region] of (probeRegions ?? []).entries()) {
      const partition = partitionOf(region);
      if (partition !== undefined && partition !== reference.partition && i !== reference.index) {
        problems.push(
          `probeRegions[${i}]: ${region} is in the ${partition} partition and ${reference.field} ${reference.region} in ${reference.partition}; a probe cannot publish results across partitions (IAM credentials do not cross them), so deploy one registry-canary per partition`,
        );
      }
    }
  }

  // A name that is not a known region gets that one problem, not also "not one of probeRegions".
  const probed = probeRegions === undefined ? undefined : new Set(probeRegions);
  const notProbed = (field: string, region: string): string | undefined => {
    const unknown = unknownRegionProblem(field, region);
    if (unknown) return unknown;
    if (probed && !probed.has(region)) return `${field}: ${region} is not one of probeRegions`;
    return undefined;
  };

  for (const region of config.vpcRegions ?? []) push(problems, notProbed(`vpc.${region}`, region));

  config.targets?.forEach((target, i) => {
    for (const [j, region] of (target?.regions ?? []).entries()) {
      push(problems, notProbed(`targets[${i}].regions[${j}]`, region));
    }
    const credentials = target?.credentials;
    if (credentials?.type === 'ecr' && credentials.region !== undefined) {
      push(problems, unknownRegionProblem(`targets[${i}].credentials.region`, credentials.region));
    }
  });
  return problems;
}

/** The region whose partition the probe regions must share. */
function referenceRegion(
  homeRegion: string | undefined,
  probeRegions: readonly string[] | undefined,
): { field: string; region: string; partition: string; index?: number } | undefined {
  const home = homeRegion === undefined ? undefined : partitionOf(homeRegion);
  if (homeRegion !== undefined && home !== undefined) {
    return { field: 'homeRegion', region: homeRegion, partition: home };
  }
  const index = (probeRegions ?? []).findIndex(isKnownRegion);
  if (index < 0) return undefined;
  const region = probeRegions![index]!;
  return { field: `probeRegions[${index}]`, region, partition: partitionOf(region)!, index };
}

function push(problems: string[], problem: string | undefined): void {
  if (problem !== undefined) problems.push(problem);
}

/** The known region within two edits of `name` (a typo such as eu-wset-1), if there is exactly one nearest. */
function nearestRegion(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  let tie = false;
  for (const region of Object.keys(REGION_PARTITIONS)) {
    const distance = editDistance(name, region);
    if (distance < bestDistance) {
      best = region;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/** Levenshtein distance, with a transposition counted as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
