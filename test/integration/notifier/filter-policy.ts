/**
 * SNS subscription filter policies, evaluated the way the SNS guide documents them, for tests only:
 * which of the notifier's captured publishes a subscription with a given policy would receive.
 * Only what docs/alerts.md uses: exact string values, on String and String.Array attributes, with
 * the default FilterPolicyScope (MessageAttributes). Any operator ({"prefix": ...}, {"anything-but":
 * ...}, numeric, exists) is refused, so a test cannot silently evaluate what this does not model.
 *
 * - "A subscription accepts a message ... [when] each property name in the filter policy matches a
 *   message attribute name. For each matching property name in the filter policy, at least one
 *   property value matches the message attribute value"; attributes the policy does not name are
 *   ignored (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html).
 * - Exact matching: "a policy property value matches one or more message attribute values. For
 *   String.Array type attributes, each element in the array is treated as a separate string for
 *   matching purposes" (https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html).
 * - At most 5 keys, at most 150 combinations (the product of the keys' value counts), matching is
 *   case-sensitive, and only String, String.Array and Number attributes are compared
 *   (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';

export type FilterPolicy = Record<string, readonly string[]>;

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;

/** Refuses a policy SNS would refuse, or one this matcher does not model. */
export function checkFilterPolicy(policy: FilterPolicy): void {
  const keys = Object.keys(policy);
  if (keys.length === 0 || keys.length > MAX_KEYS)
    throw new Error(`a filter policy has 1 to ${MAX_KEYS} keys, this one ${keys.length}`);
  let combinations = 1;
  for (const [key, values] of Object.entries(policy)) {
    if (!Array.isArray(values) || values.length === 0)
      throw new Error(`filter policy key ${key}: a non-empty list of values`);
    for (const value of values)
      if (typeof value !== 'string')
        throw new Error(
          `filter policy key ${key}: only exact string values are modelled, got ${JSON.stringify(value)}`,
        );
    combinations *= values.length;
  }
  if (combinations > MAX_COMBINATIONS)
    throw new Error(
      `a filter policy allows at most ${MAX_COMBINATIONS} combinations, this one ${combinations}`,
    );
}

/** Whether a subscription with `policy` accepts a publish with these message attributes. */
export function acceptsMessage(
  policy: FilterPolicy,
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): boolean {
  checkFilterPolicy(policy);
  return Object.entries(policy).every(([key, allowed]) => {
    const attribute = attributes?.[key];
    if (!attribute) return false;
    return valuesOf(attribute).some((value) => allowed.includes(value));
  });
}

/** The strings an attribute is matched by: a String's value, each string element of a String.Array. */
function valuesOf(attribute: MessageAttributeValue): string[] {
  const raw = attribute.StringValue ?? '';
  if (attribute.DataType === 'String') return [raw];
  if (attribute.DataType === 'String.Array') {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) throw new Error(`String.Array attribute is not a JSON array: ${raw}`);
    return parsed.filter((v): v is string => typeof v === 'string');
  }
  // Number attributes match numeric operators only, Binary ones never: neither is an exact string.
  return [];
}
