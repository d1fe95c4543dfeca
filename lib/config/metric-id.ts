/**
 * How a target name appears in CloudWatch metric-math ids. Kept apart from the CDK constructs so
 * config validation (which the command-line tool also runs) can check for collisions without
 * loading aws-cdk-lib.
 */

/** A metric-math id (lower-case start, letters, digits, underscores) per target, kind and region index. */
export function metricId(target: string, kind: string, index: number): string {
  return `${kind}_${metricIdStem(target)}_${index}`.replace(/^([^a-z])/, 'x$1');
}

/**
 * The part of a metric-math id that comes from the target name. It is not one-to-one: `app.v1`,
 * `app-v1` and `app_v1` share a stem, and CloudWatch refuses two metrics with one id in a graph.
 */
export function metricIdStem(target: string): string {
  return target.toLowerCase().replace(/[^a-z0-9]/g, '_');
}
