/**
 * CloudFormation's own template quotas (CloudFormation User Guide, "Understand CloudFormation
 * quotas": https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html;
 * read in awsdocs/aws-cloudformation-user-guide doc_source/cloudformation-limits.md at c23f1eb:
 * 500 resources, 200 outputs, 200 parameters, a template body of 51,200 bytes in a request or
 * 1 MB in S3, a description of 1,024 bytes).
 *
 * The 51,200-byte limit on a template body passed in the request does not apply here: `cdk deploy`
 * publishes every template as an asset and passes its S3 URL (aws-cdk CLI, toolkit-lib
 * template-body-parameter.ts: a stack with a template asset URL is deployed by `TemplateURL`; only
 * without one is a body of at most 50 KiB sent inline), and nested stacks are always read from S3.
 * So the S3 limit is the one that binds.
 *
 * The CDK checks the first two itself, but not firmly: it throws above 500 resources unless the
 * `@aws-cdk/core:stackResourceLimit` context raises or disables the limit, and only warns about the
 * template size (core/lib/stack.ts, aws-cdk-lib 2.276). Here both fail synth, whatever the context.
 */
import type { GuardRule } from '../rule.ts';

const QUOTAS_PAGE =
  'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';

export const MAX_RESOURCES_PER_TEMPLATE = 500;
/** Nested stacks add one parameter per value they take from their parent, and outputs per value they give. */
export const MAX_OUTPUTS_PER_TEMPLATE = 200;
export const MAX_PARAMETERS_PER_TEMPLATE = 200;
/** "1 MB": read as 1,000,000 bytes, the stricter reading. */
export const MAX_TEMPLATE_BYTES = 1_000_000;

/** A rule on how many entries a template section may declare. */
function sectionCount(section: 'Outputs' | 'Parameters', max: number): GuardRule {
  return {
    id: `CFN-${section}PerTemplate`,
    checks: `Each template declares at most ${max} ${section.toLowerCase()}.`,
    limit: `${max} ${section.toLowerCase()} per template`,
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      set.templates.flatMap((template) => {
        const count = Object.keys(template.template[section] ?? {}).length;
        return count > max
          ? [
              {
                at: template,
                message: `the template declares ${count} ${section.toLowerCase()}`,
                location: section,
              },
            ]
          : [];
      }),
  };
}

export const CLOUDFORMATION_RULES: readonly GuardRule[] = [
  {
    id: 'CFN-ResourcesPerTemplate',
    checks: 'Each template (nested stacks included) declares at most 500 resources.',
    limit: `${MAX_RESOURCES_PER_TEMPLATE} resources per template`,
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      set.templates.flatMap((template) => {
        const count = Object.keys(template.template.Resources ?? {}).length;
        return count > MAX_RESOURCES_PER_TEMPLATE
          ? [{ at: template, message: `the template declares ${count} resources`, location: 'Resources' }]
          : [];
      }),
  },
  {
    id: 'CFN-TemplateSize',
    checks: 'Each template file, as uploaded to S3 for CloudFormation, is at most 1 MB.',
    limit: `template body in S3: 1 MB (checked as ${MAX_TEMPLATE_BYTES.toLocaleString('en-US')} bytes)`,
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      set.templates.flatMap((template) =>
        template.bytes > MAX_TEMPLATE_BYTES
          ? [{ at: template, message: `the template is ${template.bytes.toLocaleString('en-US')} bytes` }]
          : [],
      ),
  },
  sectionCount('Outputs', MAX_OUTPUTS_PER_TEMPLATE),
  sectionCount('Parameters', MAX_PARAMETERS_PER_TEMPLATE),
  {
    id: 'CFN-TemplateDescription',
    checks: "A template's Description is at most 1,024 bytes.",
    limit: 'template description: 1,024 bytes',
    source: QUOTAS_PAGE,
    consequence: 'rejected',
    check: (set) =>
      set.templates.flatMap((template) => {
        const description = template.template.Description;
        if (typeof description !== 'string') return [];
        const bytes = Buffer.byteLength(description, 'utf8');
        return bytes > 1024
          ? [{ at: template, message: `the description is ${bytes} bytes`, location: 'Description' }]
          : [];
      }),
  },
];
