/**
 * Runs once before the integration project, in vitest's main process: the one place to say, in one
 * line, that the real-registry suites will be skipped (each test file has its own module state, so
 * a hint printed from the files would repeat once per file). Under CI=true a missing registry fails
 * the run here, before any file starts.
 */
import { INSTALL_HINT, registryAvailable } from './registry.ts';

export default function setup(): void {
  if (registryAvailable()) return;
  if (process.env.CI === 'true')
    throw new Error(`${INSTALL_HINT} (CI=true: the real-registry tests must run)`);
  console.warn(`skipping the real-registry tests: ${INSTALL_HINT}`);
}
