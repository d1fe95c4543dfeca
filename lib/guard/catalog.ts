/**
 * Every rule the deploy guard checks, in the order a report lists them. Adding a rule is one
 * record in one of these modules and one case in test/unit/lib/guard/cases.ts (a meta-test fails
 * when a rule has none).
 */
import type { GuardRule } from './rule.ts';
import { ALARM_RULES } from './rules/alarm.ts';
import { CLOUDFORMATION_RULES } from './rules/cloudformation.ts';
import { DASHBOARD_RULES } from './rules/dashboard.ts';
import { INVOCATION_RULES } from './rules/invocation.ts';
import { TEXT_LIMIT_RULES } from './rules/text-limits.ts';

export const GUARD_RULES: readonly GuardRule[] = [
  ...CLOUDFORMATION_RULES,
  ...DASHBOARD_RULES,
  ...ALARM_RULES,
  ...INVOCATION_RULES,
  ...TEXT_LIMIT_RULES,
];

const ids = GUARD_RULES.map((rule) => rule.id);
const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
if (duplicate) throw new Error(`deploy guard: rule id ${duplicate} is used twice`);
