/**
 * The deploy guard's view of a synthesized app: every CloudFormation template CloudFormation will
 * be handed, the nested stacks' included (the CDK's policy-validation context lists only the
 * top-level stacks; a nested stack's template is a file asset beside its parent's), each with its
 * region, its size on disk and its resources. Rules read this, never the construct tree, so they
 * judge exactly what is deployed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type IPolicyValidationContext, NestedStack, type Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Description?: unknown;
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
}

export interface GuardTemplate {
  /** The stack's construct path (a nested stack's own path). */
  stackPath: string;
  /** Absolute path of the template file. */
  templatePath: string;
  /** The region the stack deploys to, when known at synth. */
  region: string | undefined;
  /** Size of the template file: what the CDK uploads to S3 and CloudFormation reads. */
  bytes: number;
  template: CfnTemplate;
  /**
   * For a nested stack, where its AWS::CloudFormation::Stack resource sits in the parent: the
   * resource a finding about the whole template names.
   */
  parentResource?: { templatePath: string; logicalId: string };
}

export interface GuardResource {
  template: GuardTemplate;
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
}

export class TemplateSet {
  /** Resources by type, built once: every rule reads them, and the large fleet has thousands. */
  private readonly byType = new Map<string, GuardResource[]>();

  constructor(readonly templates: readonly GuardTemplate[]) {
    for (const template of templates) {
      for (const [logicalId, resource] of Object.entries(template.template.Resources ?? {})) {
        const list = this.byType.get(resource.Type) ?? [];
        list.push({ template, logicalId, type: resource.Type, properties: resource.Properties ?? {} });
        this.byType.set(resource.Type, list);
      }
    }
  }

  /** Every resource of the given type in every template, in template order. */
  resources(type: string): readonly GuardResource[] {
    return this.byType.get(type) ?? [];
  }

  /** A resource of the same template by logical id (for Ref / Fn::GetAtt). */
  resource(template: GuardTemplate, logicalId: string): GuardResource | undefined {
    const resource = template.template.Resources?.[logicalId];
    if (!resource) return undefined;
    return { template, logicalId, type: resource.Type, properties: resource.Properties ?? {} };
  }

  /** Loads the templates the CDK hands a policy-validation plugin, and the nested stacks' under them. */
  static fromValidationContext(context: IPolicyValidationContext): TemplateSet {
    const templates: GuardTemplate[] = context.stackTemplates.map((stack) =>
      readTemplate(stack.stackConstructPath, stack.templatePath, stack.region),
    );
    const dirs = [...new Set(context.templatePaths.map((p) => path.dirname(p)))];
    for (const nested of nestedStacks(context.appConstruct)) {
      const file = dirs.map((dir) => path.join(dir, nested.templateFile)).find((p) => existsSync(p));
      if (!file) {
        // Every nested stack's template is written at synth; one missing would be deployed unchecked.
        throw new Error(`deploy guard: no template file ${nested.templateFile} for ${nested.node.path}`);
      }
      const parent = nested.nestedStackParent!;
      const parentTemplate = templates.find((t) => t.stackPath === parent.node.path);
      const parentFile = parentTemplate?.templatePath ?? path.join(path.dirname(file), parent.templateFile);
      templates.push({
        ...readTemplate(nested.node.path, file, topLevelRegion(nested)),
        parentResource: {
          templatePath: parentFile,
          logicalId: parent.resolve(parent.getLogicalId(nested.nestedStackResource!)) as string,
        },
      });
    }
    return new TemplateSet(templates);
  }
}

function readTemplate(stackPath: string, templatePath: string, region: string | undefined): GuardTemplate {
  return {
    stackPath,
    templatePath,
    region,
    bytes: statSync(templatePath).size,
    template: JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate,
  };
}

/** Nested stacks, parents before children (a child's parent template is then already loaded). */
function nestedStacks(root: IConstruct): NestedStack[] {
  return root.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));
}

/** A nested stack deploys to its top-level parent's region. */
function topLevelRegion(nested: NestedStack): string | undefined {
  let stack: Stack = nested;
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return Token.isUnresolved(stack.region) ? undefined : stack.region;
}
