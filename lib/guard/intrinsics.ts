/**
 * Reading values out of a synthesized template, where the CDK leaves intrinsic functions for
 * CloudFormation to resolve at deploy: what can be known at synth is known, the rest is said to be
 * unknown, and rules skip (names) or measure with a stand-in (dashboard bodies) accordingly.
 */

/** Values the pseudo parameters take, or stand in for with the same length. */
function pseudoParameter(name: string, region: string | undefined): string | undefined {
  switch (name) {
    case 'AWS::Region':
      // The longest commercial region name stands in when the stack is region-agnostic.
      return region ?? 'ap-southeast-1';
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::AccountId':
      // Account ids are always 12 digits.
      return '000000000000';
    default:
      return undefined;
  }
}

export interface ResolveOptions {
  region: string | undefined;
  /**
   * What to put where a value is only known at deploy (a Ref to a resource, a GetAtt). Without it,
   * such a value makes the whole result unknown.
   */
  unknown?: string;
}

/** The text a template value will have at deploy, or undefined where synth cannot know it. */
export function resolveText(value: unknown, options: ResolveOptions): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object['Ref'] === 'string') {
      return pseudoParameter(object['Ref'], options.region) ?? options.unknown;
    }
    const join = object['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      const parts = join[1].map((part) => resolveText(part, options));
      if (parts.some((part) => part === undefined)) return undefined;
      return parts.join(join[0]);
    }
  }
  return options.unknown;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  if (typeof object['Ref'] === 'string' && !object['Ref'].startsWith('AWS::')) return object['Ref'];
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** A number the template states literally (CloudFormation also accepts numeric strings). */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}
