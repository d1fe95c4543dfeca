/**
 * The alarms a config deploys, in CloudWatch's billing units: a metric alarm is billed per metric
 * it reads (standard resolution $0.10, high resolution $0.30 per alarm metric), a composite alarm
 * per alarm. The alarms themselves come from the alarm catalog (inventory.ts); the synthesis test
 * (test/unit/cost/inventory.test.ts) checks these counts, kind by kind, against the templates.
 */
import type { CanaryConfig } from '../../lib/config/schema.ts';
import type { AlarmKind } from '../publish/alarm-catalog.ts';
import { type AlarmUnit, alarmUnits } from './inventory.ts';

export interface AlarmCounts {
  standardMetrics: number;
  highResolutionMetrics: number;
  composite: number;
  /** Billed alarm metrics per kind (standard and high resolution together). */
  byKind: Partial<Record<AlarmKind, number>>;
}

export function countAlarmUnits(units: readonly AlarmUnit[]): AlarmCounts {
  const byKind: Partial<Record<AlarmKind, number>> = {};
  let standardMetrics = 0;
  let highResolutionMetrics = 0;
  for (const unit of units) {
    byKind[unit.kind] = (byKind[unit.kind] ?? 0) + unit.billedMetrics;
    if (unit.highResolution) highResolutionMetrics += unit.billedMetrics;
    else standardMetrics += unit.billedMetrics;
  }
  // The catalog has no composite alarms: each kind is a metric alarm.
  return { standardMetrics, highResolutionMetrics, composite: 0, byKind };
}

export function countAlarms(config: CanaryConfig): AlarmCounts {
  return countAlarmUnits(alarmUnits(config));
}
