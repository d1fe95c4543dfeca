import { defineConfig } from 'vitest/config';

// The unit tests that exercise the modules Stryker mutates (stryker.config.json): the registry
// client and the probe. No integration tests: each mutant re-runs the tests that cover it, and a
// real registry per mutant would make the run hours long.
export default defineConfig({
  test: {
    include: ['test/unit/registry/**/*.test.ts', 'test/unit/probe/**/*.test.ts'],
    environment: 'node',
  },
});
