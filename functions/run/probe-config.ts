/**
 * What one region's probe Lambda is told: written as JSON by the CDK app at synth (one file per
 * region, shipped inside the function's bundle) and read once at cold start. A file, not
 * environment variables: Lambda caps the whole environment at 4 KB, which a fleet of a few dozen
 * targets (or one CA bundle) would exceed. It holds no secrets, only references to them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { credentialSourceSchema } from '../credentials/source.ts';
import { PROFILE_NAMES } from '../registry/profiles.ts';

export const PROBE_CONFIG_FILE_ENV = 'PROBE_CONFIG_FILE';
export const PROBE_CONFIG_FILE_NAME = 'probe-config.json';
/** Kept at the end of each invocation for the metrics flush and the home-region copy (with retries). */
export const PUBLISH_RESERVE_MS = 15_000;

const nonEmpty = () => z.string().check(z.minLength(1));
const positiveInt = () => z.int().check(z.positive());

/** A mirror of a target (the config's `targets[].mirrors`), its reference resolved and split at synth. */
export const probeMirrorSchema = z.object({
  name: z.optional(nonEmpty()),
  /** The reference probed: the config's, with the target's tag or digest when it named none. */
  image: nonEmpty(),
  registry: nonEmpty(),
  repository: nonEmpty(),
  reference: nonEmpty(),
  credentials: credentialSourceSchema,
  plainHttp: z.boolean(),
  profile: z.optional(z.enum(PROFILE_NAMES)),
});

export type ProbeMirror = z.infer<typeof probeMirrorSchema>;

export const probeTargetSchema = z.object({
  name: nonEmpty(),
  image: nonEmpty(),
  /** The reference split at synth, for results the handler builds itself (a target that overran its deadline). */
  registry: nonEmpty(),
  repository: nonEmpty(),
  reference: nonEmpty(),
  credentials: credentialSourceSchema,
  platforms: z.array(z.string()).check(z.minLength(1)),
  timeoutMs: positiveInt(),
  slowMs: positiveInt(),
  certExpiryDays: positiveInt(),
  rateLimitRatio: z.number().check(z.gt(0), z.lt(1)),
  verifyBlob: z.boolean(),
  /** Talk HTTP instead of HTTPS to this target's registry (the config's `plainHttp`). */
  plainHttp: z.boolean(),
  /** The registry family the config chose (`profile`), for a host that does not say. */
  profile: z.optional(z.enum(PROFILE_NAMES)),
  /** Probed beside the target, within its hard stop (functions/run/mirror-run.ts). @default none */
  mirrors: z.optional(z.array(probeMirrorSchema)),
});

export type ProbeTarget = z.infer<typeof probeTargetSchema>;

export const probeRuntimeConfigSchema = z.object({
  /** The region this function probes from (its own). */
  region: nonEmpty(),
  /** Where the home-region copy of each result goes. */
  homeRegion: nonEmpty(),
  concurrency: positiveInt(),
  /** Added to each target's own deadline before the handler stops waiting for it. */
  deadlineGraceMs: z.int().check(z.nonnegative()),
  runbookBaseUrl: z.optional(z.string()),
  caCertificates: z.array(z.string()),
  /**
   * The file the config's caBundle was read from, relative to the checkout synth ran in; absent
   * for an inline pem. Only next steps use it: `--ca-file` on the engineer's machine.
   */
  caBundleFile: z.optional(z.string()),
  httpsProxy: z.optional(z.string()),
  noProxy: z.optional(z.string()),
  /** How the state of record is written (functions/publish/state.ts), from the config's `state`. */
  state: z.object({ heartbeatMinutes: positiveInt(), ttlDays: positiveInt() }),
  targets: z.array(probeTargetSchema),
});

export type ProbeRuntimeConfig = z.infer<typeof probeRuntimeConfigSchema>;

/** Reads a required environment variable, failing loudly at cold start when it is missing. */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is required`);
  return value;
}

/** Reads and validates the config file named by PROBE_CONFIG_FILE (relative to the working directory, /var/task in Lambda). */
export function readProbeConfig(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): ProbeRuntimeConfig {
  const file = path.resolve(requiredEnv(env, PROBE_CONFIG_FILE_ENV));
  let raw: unknown;
  try {
    raw = JSON.parse(readFile(file));
  } catch (error) {
    throw new Error(`Cannot read the probe config ${file}`, { cause: error });
  }
  const parsed = probeRuntimeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new Error(`Invalid probe config ${file}: ${problems}`, { cause: parsed.error });
  }
  return parsed.data;
}
