import type { CanaryConfigInput } from './schema.ts';

/**
 * Types a config file: `export default defineConfig({ ... })`. Returns its argument unchanged;
 * validation happens when the CDK app loads it, so a bad config fails synth with the field named.
 */
export function defineConfig(config: CanaryConfigInput): CanaryConfigInput {
  return config;
}
