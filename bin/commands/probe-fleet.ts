/**
 * `registry-canary probe --config <file> [--target NAME]... [--registry HOST]... [--region R]`:
 * the config's targets probed from this machine exactly as the region's probe Lambda probes them.
 *
 * "Exactly" is kept by construction, not by copying settings: the config goes through
 * runtimeConfigFor (what the CDK app writes into the Lambda's bundle, lib/config/runtime-config.ts),
 * is parsed back with the Lambda's own schema (functions/run/probe-config.ts), and is run by
 * the Lambda's probeAll (functions/run/probe-run.ts) with credential providers built by the
 * Lambda's createCredentialProvider. Only where the results go differs: the terminal, not
 * CloudWatch. Imported lazily by bin/cli.ts, so a plain `probe <ref>` never loads the config schema.
 */
import { credentialsFromCliAuth } from '../../functions/credentials/cli-auth.ts';
import type { CredentialDeps } from '../../functions/credentials/factory.ts';
import { anonymous, type CredentialProvider } from '../../functions/credentials/types.ts';
import { formatResults } from '../../functions/probe/format.ts';
import type { ProbeResult } from '../../functions/probe/result.ts';
import { RunDeadline } from '../../functions/run/deadline.ts';
import {
  type ProbeRuntimeConfig,
  type ProbeTarget,
  probeRuntimeConfigSchema,
} from '../../functions/run/probe-config.ts';
import { probeAll, type TargetOutcome } from '../../functions/run/probe-run.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { runtimeConfigFor } from '../../lib/config/runtime-config.ts';
import type { CanaryConfig } from '../../lib/config/schema.ts';
import type { CliIo } from '../cli.ts';
import { parseCommandArgs, UsageError } from './usage-error.ts';

export const PROBE_FLEET_USAGE = `Usage: registry-canary probe --config <file> [--target NAME]... [--registry HOST]... [--region R] [--json]

Probes the config's targets with exactly the settings of a region's probe Lambda: platforms,
thresholds, timeouts, credentials sources (read with your AWS credentials), CA bundle, proxy,
plain HTTP. Nothing is published: results are printed.

Options:
  --config FILE      the deployment config (.ts, .js, .mjs or .json), anywhere on disk
  --target NAME      only this target (repeatable)
  --registry HOST    only targets on this registry host, e.g. ghcr.io (repeatable)
  --region R         probe as region R's Lambda does: its targets, its Secrets Manager region
                     (default: the config's first probe region)
  --auth SOURCE      replace every target's credentials with a CLI source, e.g. docker-config
                     when you cannot read the secrets (see registry-canary probe --help)
  --json             print a JSON array, one ProbeResult per target (the probe <ref> contract)
  -h, --help         show this help

Exit codes: 0 healthy or degraded, 1 any failing, 2 bad usage.`;

/** What the fleet command needs from outside: the CLI's own io (bin/cli.ts passes the process's), and two seams for tests. */
export interface ProbeFleetIo extends CliIo {
  /** @default loadConfig from lib/config */
  loadConfig?: (path: string) => Promise<CanaryConfig>;
  /** @default the AWS SDK's clients, created on first use (imported only when a target needs one) */
  credentialDeps?: (region: string) => Promise<CredentialDeps>;
}

export interface FleetSelection {
  targets?: string[];
  registries?: string[];
  region?: string;
}

/**
 * The runtime config a region's Lambda would read, narrowed to the selected targets. Parsed with
 * the Lambda's own schema, so a config the Lambda would refuse is refused here too.
 */
export function fleetRuntimeConfig(config: CanaryConfig, selection: FleetSelection): ProbeRuntimeConfig {
  const region = selection.region ?? config.probeRegions[0]!;
  if (!config.probeRegions.includes(region)) {
    throw new UsageError(
      `--region ${region}: not a probe region of this config (${config.probeRegions.join(', ')}).`,
    );
  }
  const runtime = probeRuntimeConfigSchema.parse(runtimeConfigFor(config, region));
  const known = new Set(config.targets.map((t) => t.name));
  for (const name of selection.targets ?? []) {
    if (!known.has(name)) {
      throw new UsageError(`--target ${name}: no such target (${[...known].join(', ')}).`);
    }
    if (!runtime.targets.some((t) => t.name === name)) {
      throw new UsageError(
        `--target ${name}: not probed from ${region} (disabled, or its \`regions\` leave ${region} out).`,
      );
    }
  }
  const targets = runtime.targets.filter(
    (t) =>
      (!selection.targets?.length || selection.targets.includes(t.name)) &&
      (!selection.registries?.length || selection.registries.includes(t.registry)),
  );
  if (targets.length === 0) {
    throw new UsageError(
      `no target of the config matches the selection in ${region} (registries here: ${[
        ...new Set(runtime.targets.map((t) => t.registry)),
      ].join(', ')}).`,
    );
  }
  return { ...runtime, targets };
}

/** The AWS clients of the Lambda's handler (probe-handler.ts), made in the probe region. */
async function sdkCredentialDeps(region: string): Promise<CredentialDeps> {
  const [{ SecretsManagerClient }, { secretsManagerReader }, { awsClientFactories }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../../functions/credentials/secrets.ts'),
    import('../../functions/credentials/aws-clients.ts'),
  ]);
  return {
    ...awsClientFactories(),
    secrets: secretsManagerReader({ client: new SecretsManagerClient({ region }), region }),
  };
}

function parseFleetArgs(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      target: { type: 'string', multiple: true },
      registry: { type: 'string', multiple: true },
      region: { type: 'string' },
      auth: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export async function runProbeFleet(args: string[], io: ProbeFleetIo): Promise<number> {
  const { values, positionals } = parseFleetArgs(args);
  if (values.help) {
    io.stdout(PROBE_FLEET_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `probe --config runs the config's targets; image references (${positionals.join(' ')}) go without --config.`,
    );
  }
  const { runtime, outcomes } = await probeFleet(values, io, !values.json);
  const results = outcomes.map((o) => o.result);
  if (values.json) io.stdout(JSON.stringify(results, null, 2));
  else {
    io.stdout(formatResults(results, { summary: false }));
    io.stdout('');
    io.stdout(fleetSummary(outcomes, runtime.region));
  }
  return results.some((r) => r.status === 'failing') ? 1 : 0;
}

/** The fleet options shared by `probe --config` and `report --from probe`. */
export interface FleetValues {
  config?: string | undefined;
  target?: string[] | undefined;
  registry?: string[] | undefined;
  region?: string | undefined;
  auth?: string | undefined;
  username?: string | undefined;
  'password-stdin'?: boolean | undefined;
}

/** Loads the config and probes the selected targets as the region's Lambda would. */
export async function probeFleet(
  values: FleetValues,
  io: ProbeFleetIo,
  progressAllowed: boolean,
): Promise<{ config: CanaryConfig; runtime: ProbeRuntimeConfig; outcomes: TargetOutcome[] }> {
  const configPath = values.config;
  if (!configPath) throw new UsageError('--config needs the path of a config file.');
  const config = await (io.loadConfig ?? ((p: string) => loadConfig(p)))(configPath);
  const runtime = fleetRuntimeConfig(config, {
    ...(values.target ? { targets: values.target } : {}),
    ...(values.registry ? { registries: values.registry } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  const credentialsFor = await credentialSource(values, runtime, io);
  const command = io.command ?? 'registry-canary';
  const showProgress = progressAllowed && io.interactive === true && io.progress !== undefined;
  let done = 0;
  const total = runtime.targets.length;
  if (showProgress) io.progress?.(progressLine(0, total, runtime.region));

  const outcomes = await probeAll(runtime, {
    // Next steps repeat the probe with this command (and, for a config whose caBundle is a path,
    // `--ca-file` with that checkout-relative path: lib/config/ca-bundle.ts keeps it).
    probe: (ref, options) =>
      io.probe(ref, {
        ...options,
        ...(options?.invocation ? { invocation: { ...options.invocation, command } } : {}),
      }),
    credentialsFor,
    // No invocation to outlive on a laptop: each target still has its own hard stop. A day, not
    // "forever": AbortSignal.timeout takes at most 2^31-1 ms and turns a larger delay into 1 ms.
    deadline: RunDeadline.in(LAPTOP_RUN_MS),
    onResult: () => {
      done += 1;
      if (showProgress) io.progress?.(progressLine(done, total, runtime.region));
    },
  });
  if (showProgress) io.progress?.('');
  return { config, runtime, outcomes };
}

/** The run's outer deadline on a laptop (see probeAll's deadline above). */
const LAPTOP_RUN_MS = 24 * 60 * 60 * 1000;

function progressLine(done: number, total: number, region: string): string {
  return `probing as ${region}: ${done}/${total} targets done`;
}

/** One line per target: name, status, code, duration and image; the widths fit the longest name. */
export function fleetSummary(outcomes: readonly TargetOutcome[], region: string): string {
  const nameWidth = Math.max(6, ...outcomes.map((o) => o.target.name.length));
  const codeOf = (r: ProbeResult) => r.diagnosis?.code ?? r.warnings[0]?.code ?? '-';
  const codeWidth = Math.max(
    ...outcomes.flatMap((o) =>
      [codeOf(o.result), ...(o.result.mirrors ?? []).map((m) => m.code ?? '-')].map((c) => c.length),
    ),
  );
  const lines = outcomes.map(({ target, result }) => {
    return [
      target.name.padEnd(nameWidth),
      result.status.toUpperCase().padEnd(8),
      codeOf(result).padEnd(codeWidth),
      `${result.durationMs} ms`.padStart(9),
      `  ${target.image}`,
    ].join(' ');
  });
  // A target's mirrors, under it: part of the target, not targets of their own.
  const withMirrors = outcomes.flatMap(({ result }, i) => [
    lines[i]!,
    ...(result.mirrors ?? []).map(
      (m) =>
        `${''.padEnd(nameWidth)} ${m.status.toUpperCase().padEnd(8)} ${(m.code ?? '-').padEnd(codeWidth)} ${`${m.durationMs} ms`.padStart(9)}    mirror ${m.image}`,
    ),
  ]);
  const failing = outcomes.filter((o) => o.result.status === 'failing').length;
  return [
    `${outcomes.length} target(s) probed as ${region}, ${failing} failing:`,
    ...withMirrors.map((l) => `  ${l}`),
  ].join('\n');
}

/**
 * Each target's credentials as its Lambda reads them, or, with --auth, one CLI source for all
 * (a docker config on a laptop that may not read the deployment's secrets).
 */
async function credentialSource(
  values: FleetValues,
  runtime: ProbeRuntimeConfig,
  io: ProbeFleetIo,
): Promise<(target: ProbeTarget) => CredentialProvider> {
  if (values.auth !== undefined || values.username !== undefined) {
    const provider = await credentialsFromCliAuth(values.auth ?? 'basic', {
      ...(values.username !== undefined ? { username: values.username } : {}),
      ...(values['password-stdin'] ? { readPasswordStdin: () => io.readStdin() } : {}),
      readFile: (path) => io.readFile(path),
    });
    return () => provider;
  }
  const { createCredentialProvider } = await import('../../functions/credentials/factory.ts');
  const needsAws = runtime.targets.some((t) => t.credentials.type !== 'anonymous');
  const deps = needsAws ? await (io.credentialDeps ?? sdkCredentialDeps)(runtime.region) : undefined;
  const providers = new Map<string, CredentialProvider>();
  return (target) => {
    let provider = providers.get(target.name);
    if (!provider) {
      provider =
        target.credentials.type === 'anonymous' || !deps
          ? anonymous
          : createCredentialProvider(target.credentials, deps);
      providers.set(target.name, provider);
    }
    return provider;
  };
}
