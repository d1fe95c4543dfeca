/**
 * Vitest global setup of both projects: builds the CLI into dist/cli/ (scripts/build-cli.mjs, the
 * package's prepare script) before any test runs, so tests that start `bin/registry-canary.mjs`
 * exercise the sources as they are now, not a build from the last `npm ci`. esbuild takes well under
 * a second for it.
 */
// @ts-expect-error: a plain ES module script without type declarations.
import { buildCli } from '../scripts/build-cli.mjs';

export default async function setup(): Promise<void> {
  await (buildCli as () => Promise<void>)();
}
