/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy --all`. The config comes from `-c config=path`
 * (a .ts, .js or .json file; default config/default.ts) and is validated before any stack is built,
 * so a bad config fails synth naming the field. cdk-nag's AWS Solutions checks run on every synth,
 * and so does the deploy guard (AWS's service-side limits, lib/guard), which createCanaryStacks registers.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lib/config/errors.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../lib/config/load-config.ts';
import { createCanaryStacks } from '../lib/stacks/canary-app.ts';

const app = new App();
const configPath = (app.node.tryGetContext('config') as string | undefined) ?? DEFAULT_CONFIG_PATH;

try {
  const config = await loadConfig(configPath);
  createCanaryStacks(app, config);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
