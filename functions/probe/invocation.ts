/**
 * How a failing run can be repeated by hand: the command (`npx registry-canary` when that is how
 * the tool was run, or from a Lambda) and the flags that shape the probe. Next steps that say
 * "probe again" paste these, so that a probe of a plain-HTTP registry with a private CA and
 * linux/arm64 is not repeated as an HTTPS probe of linux/amd64 that fails for another reason.
 */
import type { CredentialSource } from '../credentials/source.ts';
import type { Invocation, RegistryProfileName } from '../registry/profiles.ts';

/** The flags of a run, as the CLI spells them. Values are shell-quoted where they need it. */
export interface RunFlags {
  platforms?: readonly string[];
  plainHttp?: boolean;
  caFile?: string;
  /** The `--auth` value, or the basic pair `--username U --password-stdin`. */
  auth?: string | { username: string };
  profile?: RegistryProfileName;
}

export function invocationOf(command: string, run: RunFlags): Invocation {
  const flags: string[] = [];
  if (run.auth !== undefined) {
    flags.push(
      typeof run.auth === 'string'
        ? `--auth ${shellQuote(run.auth)}`
        : `--username ${shellQuote(run.auth.username)} --password-stdin`,
    );
  }
  for (const platform of run.platforms ?? []) flags.push(`--platform ${shellQuote(platform)}`);
  if (run.plainHttp) flags.push('--plain-http');
  if (run.caFile !== undefined) flags.push(`--ca-file ${shellQuote(run.caFile)}`);
  if (run.profile !== undefined) flags.push(`--profile ${run.profile}`);
  return { command, flags };
}

/**
 * `npx registry-canary` when npm ran the tool (npx and `npm exec` set npm_command=exec), else
 * `registry-canary`.
 */
export function commandName(env: NodeJS.ProcessEnv): string {
  return env['npm_command'] === 'exec' || env['npm_lifecycle_event'] === 'npx'
    ? 'npx registry-canary'
    : 'registry-canary';
}

/** The CLI's `--auth` for a target's credentials in the config, as its Lambda uses them. */
export function cliAuthFor(source: CredentialSource): RunFlags['auth'] {
  switch (source.type) {
    case 'anonymous':
      return 'anonymous';
    case 'basic':
      // The secret's username is not known here (and never printed); the person pastes their own.
      return { username: 'USER' };
    case 'ecr':
      return [
        'ecr',
        ...(source.region ? [`region=${source.region}`] : []),
        ...(source.roleArn ? [`role=${source.roleArn}`] : []),
      ].join(',');
    case 'ecr-public':
      return source.authenticated ? 'ecr-public,authenticated' : 'ecr-public';
    case 'google':
      return `${source.mode === 'json-key' ? 'google-json-key' : 'google-key'}=KEY.json`;
  }
}

/** Single-quotes a word that the shell would split or expand. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
