import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing but Node; integration tests start real servers
// (the CNCF distribution registry, dynalite, local HTTP peers) on 127.0.0.1.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-build.ts'],
          // Timings are never pass/fail: property tests and synths that take 2 s on an idle machine
          // take 5+ s on a loaded one, and vitest's 5 s default then fails them for no fault.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-build.ts', 'test/integration/harness/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
