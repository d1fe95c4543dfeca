import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * A mistake in how a command was called: bin/cli.ts prints it with a pointer to --help and exits 2.
 * A module of its own so that the lazily imported commands throw the class the CLI catches without
 * importing the CLI (and the CLI does not import them to catch it).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** node:util's parseArgs, with its refusals (which name the offending option) as usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
