/**
 * A mistake in how a command was called: bin/cli.ts prints it with a pointer to --help and exits 2.
 * A module of its own so that the lazily imported commands throw the class the CLI catches without
 * importing the CLI (and the CLI does not import them to catch it).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
