/**
 * The deploy guard: AWS's service-side rules (lib/guard/catalog.ts) checked on the synthesized
 * templates, as a CDK policy-validation plugin, the mechanism cdk-nag 3 plugs in through. It is
 * registered on the app by createCanaryStacks, so every synth runs it: `cdk synth`, `cdk deploy`
 * and the tests. A finding fails synth; the report names the rule, the stack's template, the
 * resource's logical id and construct path, and what AWS documents.
 *
 * Findings a service would reject are `fatal` (the CDK lets no acknowledgement hide them: the
 * deploy would fail anyway); findings about run-time misbehaviour are `error`, which
 * `Validations.of(scope).acknowledge({ id: 'RegistryCanary-DeployGuard::<rule>', reason })` can
 * accept with a reason.
 */
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib';
import { GUARD_RULES } from './catalog.ts';
import { type Finding, type GuardRule, isTemplate } from './rule.ts';
import { TemplateSet } from './template-set.ts';

export const DEPLOY_GUARD_NAME = 'RegistryCanary-DeployGuard';

export interface GuardRun {
  rules: number;
  templates: number;
  findings: number;
  milliseconds: number;
}

export class DeployGuard implements IPolicyValidationPlugin {
  readonly name = DEPLOY_GUARD_NAME;
  readonly version = '1.0.0';
  readonly ruleIds: string[];
  /** What the last validation saw and found, for tests and timing. */
  lastRun: GuardRun | undefined;

  constructor(private readonly rules: readonly GuardRule[] = GUARD_RULES) {
    this.ruleIds = rules.map((rule) => rule.id);
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const started = performance.now();
    const set = TemplateSet.fromValidationContext(context);
    const violations = this.rules.flatMap((rule) =>
      rule.check(set).map((finding) => violation(rule, finding)),
    );
    this.lastRun = {
      rules: this.rules.length,
      templates: set.templates.length,
      findings: violations.length,
      milliseconds: performance.now() - started,
    };
    return { success: violations.length === 0, violations };
  }
}

function violation(rule: GuardRule, finding: Finding): PolicyViolation {
  const at = finding.at;
  const where = isTemplate(at)
    ? at.parentResource
      ? { resourceLogicalId: at.parentResource.logicalId, templatePath: at.parentResource.templatePath }
      : { constructPath: at.stackPath, templatePath: at.templatePath }
    : { resourceLogicalId: at.logicalId, templatePath: at.template.templatePath };
  const subject = isTemplate(at)
    ? `template of ${at.stackPath}`
    : `${at.logicalId} (${at.type}) in ${at.template.stackPath}`;
  return {
    ruleName: rule.id,
    description: `${subject}: ${finding.message}. ${rule.checks}`,
    fix: `${rule.consequence === 'rejected' ? 'AWS limit' : 'Limit'}: ${rule.limit}. Source: ${rule.source}`,
    severity: rule.consequence === 'rejected' ? 'fatal' : 'error',
    violatingResources: [{ ...where, locations: finding.location ? [finding.location] : [] }],
  };
}
