/**
 * Builds every stack of a deployment from one validated config: one probe stack per region and
 * the home stack, and registers the deploy guard (lib/guard) on the app, so that no synth of these
 * stacks skips it. Used by bin/app.ts and by the tests, which synth the same app.
 */
import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { configWarnings } from '../config/config-warnings.ts';
import type { CanaryConfig } from '../config/schema.ts';
import { DeployGuard } from '../guard/deploy-guard.ts';
import { HomeStack } from './home-stack.ts';
import { RegionalProbeStack } from './regional-stack.ts';

export interface CanaryStacks {
  home: HomeStack;
  regional: Map<string, RegionalProbeStack>;
  /** The app's deploy guard; after synth, `guard.lastRun` says what it checked and found. */
  guard: DeployGuard;
}

export function createCanaryStacks(app: App, config: CanaryConfig): CanaryStacks {
  const regional = new Map<string, RegionalProbeStack>();
  for (const region of config.probeRegions) {
    regional.set(region, new RegionalProbeStack(app, `RegistryCanary-Probe-${region}`, { config, region }));
  }
  const home = new HomeStack(app, 'RegistryCanary-Home', { config });
  // On the home stack: it holds the alarms and the topics the warnings are about.
  for (const warning of configWarnings(config))
    Annotations.of(home).addWarningV2(warning.id, warning.message);
  // AWS's service-side limits, checked on the synthesized templates: a finding fails synth.
  const guard = new DeployGuard();
  Validations.of(app).addPlugins(guard);
  return { home, regional, guard };
}
