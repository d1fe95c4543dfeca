/**
 * One deploy-guard rule: a rule AWS enforces (or a way the deployed app would misbehave) that synth
 * can check, as data: what it checks, the documented limit and where AWS documents it, and a check
 * over the synthesized templates that returns one finding per offending resource.
 */
import type { GuardResource, GuardTemplate, TemplateSet } from './template-set.ts';

/**
 * `rejected`: CloudFormation or the service refuses the deploy (the stack rolls back).
 * `misbehaves`: it deploys, but fails at run time (overlapping runs, a silent alarm).
 */
export type Consequence = 'rejected' | 'misbehaves';

export interface Finding {
  /** The offending resource, or a whole template (resource count, size). */
  at: GuardResource | GuardTemplate;
  /** What is wrong here, with the numbers. */
  message: string;
  /** Where in the resource, e.g. `Properties.Timeout`. */
  location?: string;
}

export interface GuardRule {
  /** Stable id, printed in every failure: `<service>-<what>`. */
  id: string;
  /** What the rule checks, in a sentence. */
  checks: string;
  /** The limit as AWS documents it. */
  limit: string;
  /** The AWS documentation page (or service model) that states the limit. */
  source: string;
  consequence: Consequence;
  check(templates: TemplateSet): Finding[];
}

export function isTemplate(at: GuardResource | GuardTemplate): at is GuardTemplate {
  return 'templatePath' in at && 'bytes' in at;
}
