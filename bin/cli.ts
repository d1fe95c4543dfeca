/**
 * The registry-canary command line. Subcommands are dispatched through one table (SUBCOMMANDS),
 * so adding one (e.g. `cost`) is one entry. Exit codes: 0 when every probe is healthy or degraded,
 * 1 when any is failing, 2 on bad usage (with a message naming the problem).
 *
 * Everything the CLI touches outside itself (stdout, stderr, stdin, files, the probe) comes in
 * through CliIo, so tests drive it without a terminal or a network.
 */
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { CLI_AUTH_USAGE, CliAuthError, credentialsFromCliAuth } from '../functions/credentials/cli-auth.ts';
import type { CredentialProvider } from '../functions/credentials/types.ts';
import { formatResults } from '../functions/probe/format.ts';
import { commandName, invocationOf } from '../functions/probe/invocation.ts';
import type { ProbeOptions } from '../functions/probe/options.ts';
import { probeImage } from '../functions/probe/probe.ts';
import type { ProbeResult } from '../functions/probe/result.ts';
import { InvalidReferenceError } from '../functions/registry/errors.ts';
import { isProfileName, PROFILE_NAMES } from '../functions/registry/profiles.ts';
import { parseReference } from '../functions/registry/reference.ts';
import { parseCommandArgs, UsageError } from './commands/usage-error.ts';

/**
 * The AWS SDK warns on stderr, once per process, that its releases after January 2027 need Node 22
 * (emitWarningIfUnsupportedVersion, node_modules/@aws-sdk/core/dist-cjs/submodules/client/index.js),
 * and skips the warning when this variable is "true". On a laptop running Node 20 that is noise in
 * the middle of a probe's output; a person who wants it back sets the variable to anything else.
 * (The Lambdas run Node 24, where the SDK has nothing to say.)
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of stdin, for --password-stdin. */
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  probe(ref: string, options: Partial<ProbeOptions>): Promise<ProbeResult>;
  /** How the tool was started, for next steps that repeat the run. @default 'registry-canary' */
  command?: string;
  /** Both stdout and stderr are a terminal: progress lines may be drawn. @default false */
  interactive?: boolean;
  /** Draws a progress line in place on stderr (an empty text clears it). */
  progress?(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  readFile: (path) => readFile(path, 'utf8'),
  probe: probeImage,
  command: commandName(process.env),
  interactive: process.stdout.isTTY === true && process.stderr.isTTY === true,
  progress: (text) => process.stderr.write(`\r\x1b[2K${text}`),
};

export interface Subcommand {
  /** One line for the top-level help. */
  summary: string;
  /** Runs the subcommand; it prints its own usage for --help and on bad usage. */
  run(args: string[], io: CliIo): Promise<number>;
}

export { UsageError };

export const EXIT = { ok: 0, failing: 1, usage: 2 } as const;

/** How many refs are probed at once. */
const PROBE_CONCURRENCY = 8;

const PROBE_USAGE = `Usage: registry-canary probe <ref>... [options]
       registry-canary probe --config <file> [--target NAME]... [--registry HOST]... [--region R]
                             (the config's targets as their Lambda probes them; --config --help)

Walks the docker pull path for each image reference (ping, token, manifest, platform, config blob),
times every phase and diagnoses what failed.

Options:
  --json                 print a JSON array, one ProbeResult per ref
  --platform os/arch     a platform the index must hold (repeatable; default linux/amd64)
  --username USER        with --password-stdin: Basic credentials (password or access token on stdin)
  --password-stdin       read the password from stdin (never from the command line)
  --auth SOURCE          where credentials come from:
${CLI_AUTH_USAGE.split('\n')
  .map((l) => `                           ${l}`)
  .join('\n')}
  --ca-file PATH         extra trusted CA certificates (PEM), added to the system ones
  --plain-http           talk HTTP instead of HTTPS to the registry
  --profile NAME         the registry family, for a self-hosted registry its host does not name:
                           ${PROFILE_NAMES.join(', ')}
                           (default: recognised from the host, else generic)
  --timeout MS           overall deadline per probe (default 10000)
  --verify-blob          download the smallest layer (up to 5 MiB) and verify its sha256
  --verify-blob-max-bytes N  the cap on that layer's size, in bytes (default 5242880)
  --runbook-base-url URL where runbook links point, e.g. your team's copy of docs/runbooks
                         (default: this project's docs/runbooks on GitHub)
  -h, --help             show this help

Exit codes: 0 healthy or degraded, 1 any failing, 2 bad usage.`;

const probeCommand: Subcommand = {
  summary: 'probe image references the way docker pull would, and diagnose failures',
  async run(args, io) {
    if (args.some((a) => a === '--config' || a.startsWith('--config='))) return probeFleet(args, io);
    const { values, positionals } = parseProbeArgs(args);
    if (values.help) {
      io.stdout(PROBE_USAGE);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('probe needs at least one image reference.');
    for (const ref of positionals) {
      try {
        parseReference(ref);
      } catch (error) {
        if (error instanceof InvalidReferenceError) throw new UsageError(error.message);
        throw error;
      }
    }
    const options = await probeOptionsFromCli(values, io);
    options.invocation = invocationOf(io.command ?? 'registry-canary', {
      ...(values.platform?.length ? { platforms: values.platform } : {}),
      plainHttp: values['plain-http'] ?? false,
      ...(values['ca-file'] !== undefined ? { caFile: values['ca-file'] } : {}),
      ...(values.username !== undefined
        ? { auth: { username: values.username } }
        : values.auth !== undefined
          ? { auth: values.auth }
          : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    });
    const limit = pLimit(PROBE_CONCURRENCY);
    const results = await Promise.all(positionals.map((ref) => limit(() => io.probe(ref, options))));
    if (values.json) io.stdout(JSON.stringify(results, null, 2));
    else io.stdout(formatResults(results));
    return results.some((r) => r.status === 'failing') ? EXIT.failing : EXIT.ok;
  },
};

/**
 * `probe --config`: the config's targets as their Lambda probes them. Imported when asked for: the
 * config schema, the runtime config and the Lambda's run loop stay off the `probe <ref>` path.
 */
async function probeFleet(args: string[], io: CliIo): Promise<number> {
  const { runProbeFleet } = await import('./commands/probe-fleet.ts');
  return runProbeFleet(args, io);
}

/**
 * The subcommands. Each is one entry; the `cost` subcommand is added here as
 * `cost: costCommand` by the cost engineer.
 */
const costCommand: Subcommand = {
  summary: 'estimate the monthly AWS cost of a config, beside CloudWatch Synthetics',
  // Imported when run: the config schema and cost model would add ~350 ms to every probe's start.
  run: async (args, io) => {
    const { defaultCostDeps, runCostCommand } = await import('../functions/cost/command.ts');
    return runCostCommand(args, {
      ...defaultCostDeps,
      stdout: io.stdout,
      stderr: io.stderr,
      readFile: io.readFile,
    });
  },
};

const statusCommand: Subcommand = {
  summary: "read the deployed fleet's state of record: open incidents, each target's latest result",
  // Imported when run: the config schema and the AWS SDK stay off the probe's start.
  run: async (args, io) => {
    const { runStatus } = await import('./commands/status.ts');
    return runStatus(args, io);
  },
};

const reportCommand: Subcommand = {
  summary: 'write one self-contained HTML report: targets × regions, drill-down, request timings',
  run: async (args, io) => {
    const { runReport } = await import('./commands/report.ts');
    return runReport(args, io);
  },
};

export const SUBCOMMANDS: Record<string, Subcommand> = {
  probe: probeCommand,
  cost: costCommand,
  status: statusCommand,
  report: reportCommand,
};

function topUsage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  return [
    'Usage: registry-canary <command> [options]',
    '',
    'Commands:',
    ...Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run registry-canary <command> --help for the options of a command;',
    'registry-canary --version prints the version.',
  ].join('\n');
}

/** This package's version; read when asked for, so the JSON import stays out of the start-up chunk. */
async function packageVersion(): Promise<string> {
  const { version } = await import('./version.ts');
  return version;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(`registry-canary: no command given.\n\n${topUsage()}`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topUsage());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`registry-canary ${await packageVersion()}`);
    return EXIT.ok;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    io.stderr(`registry-canary: unknown command ${JSON.stringify(name)}.\n\n${topUsage()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliAuthError) {
      io.stderr(`registry-canary ${name}: ${error.message}\nRun registry-canary ${name} --help for usage.`);
      return EXIT.usage;
    }
    // Not a usage problem and not a probe result: say what happened, without a stack trace.
    io.stderr(`registry-canary ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failing;
  }
}

type ProbeValues = ReturnType<typeof parseProbeArgs>['values'];

function parseProbeArgs(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      platform: { type: 'string', multiple: true },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      auth: { type: 'string' },
      'ca-file': { type: 'string' },
      'plain-http': { type: 'boolean' },
      profile: { type: 'string' },
      timeout: { type: 'string' },
      'verify-blob': { type: 'boolean' },
      'verify-blob-max-bytes': { type: 'string' },
      'runbook-base-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function probeOptionsFromCli(values: ProbeValues, io: CliIo): Promise<Partial<ProbeOptions>> {
  const options: Partial<ProbeOptions> = {
    plainHttp: values['plain-http'] ?? false,
    verifyBlob: values['verify-blob'] ?? false,
    credentials: await credentialsFromCli(values, io),
  };
  if (values.profile !== undefined) {
    if (!isProfileName(values.profile)) {
      throw new UsageError(
        `--profile ${JSON.stringify(values.profile)}: expected one of ${PROFILE_NAMES.join(', ')}.`,
      );
    }
    options.profile = values.profile;
  }
  if (values.platform?.length) {
    for (const p of values.platform) {
      if (!/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(p)) {
        throw new UsageError(
          `--platform ${JSON.stringify(p)}: expected os/arch or os/arch/variant, e.g. linux/arm64.`,
        );
      }
    }
    options.platforms = values.platform;
  }
  if (values.timeout !== undefined) {
    const ms = Number(values.timeout);
    if (!/^\d+$/.test(values.timeout) || ms < 1 || ms > 600_000) {
      throw new UsageError(
        `--timeout ${JSON.stringify(values.timeout)}: expected milliseconds from 1 to 600000.`,
      );
    }
    options.timeoutMs = ms;
    // A single request may use the whole deadline when the deadline is short.
    options.requestTimeoutMs = Math.min(5_000, ms);
  }
  const maxBytes = values['verify-blob-max-bytes'];
  if (maxBytes !== undefined) {
    const bytes = Number(maxBytes);
    if (!/^\d+$/.test(maxBytes) || bytes < 1 || bytes > 1024 * 1024 * 1024) {
      throw new UsageError(
        `--verify-blob-max-bytes ${JSON.stringify(maxBytes)}: expected a size in bytes from 1 to 1073741824.`,
      );
    }
    if (!values['verify-blob']) throw new UsageError('--verify-blob-max-bytes goes with --verify-blob.');
    options.verifyBlobMaxBytes = bytes;
  }
  const runbookBase = values['runbook-base-url'];
  if (runbookBase !== undefined) {
    if (!/^https?:\/\/[^/\s]+/.test(runbookBase) || !URL.canParse(runbookBase)) {
      throw new UsageError(`--runbook-base-url ${JSON.stringify(runbookBase)}: expected an http(s) URL.`);
    }
    options.runbookBaseUrl = runbookBase;
  }
  if (values['ca-file'] !== undefined) {
    let pem: string;
    try {
      pem = await io.readFile(values['ca-file']);
    } catch (error) {
      throw new UsageError(`--ca-file ${values['ca-file']}: ${(error as Error).message}`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`--ca-file ${values['ca-file']}: no PEM certificate in the file.`);
    }
    options.caCertificates = [pem];
  }
  return options;
}

/**
 * The credential provider the flags ask for. --username/--password-stdin alone mean `--auth basic`;
 * without any flag, credentialsFromCliAuth uses docker's config.json when it exists, else anonymous.
 */
export async function credentialsFromCli(values: ProbeValues, io: CliIo): Promise<CredentialProvider> {
  const basicFlags = values.username !== undefined || values['password-stdin'] === true;
  if (values['password-stdin'] && values.username === undefined) {
    throw new UsageError('--password-stdin needs --username.');
  }
  if (values.username !== undefined && !values['password-stdin']) {
    throw new UsageError(
      '--username needs --password-stdin (a password is never read from the command line).',
    );
  }
  const auth = values.auth ?? (basicFlags ? 'basic' : undefined);
  if (basicFlags && auth !== 'basic') {
    throw new UsageError(`--username and --password-stdin go with --auth basic, not --auth ${auth}.`);
  }
  return credentialsFromCliAuth(auth, {
    ...(values.username !== undefined ? { username: values.username } : {}),
    ...(values['password-stdin'] ? { readPasswordStdin: () => io.readStdin() } : {}),
    readFile: (path) => io.readFile(path),
  });
}
