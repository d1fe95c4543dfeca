/**
 * Where the fleet stands, from the state of record: the open incidents, and per target and probe
 * region the latest result and its age, with the regions whose probes have gone silent. Read with
 * the same reads the notifier uses (readTargetStates, the incident board), so what a person sees
 * from a laptop is what the alert was built from.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { getBoard, type Incident } from './state-incident.ts';
import type { TargetState } from './state-item.ts';
import { readTargetStates } from './state-read.ts';

/** A target of the config and the probe regions it is probed from. */
export interface ExpectedTarget {
  name: string;
  image: string;
  regions: readonly string[];
}

export interface StatusCell {
  target: string;
  region: string;
  /** The stored result, or null when this region never wrote one (or it expired). */
  state: TargetState | null;
  /** now - lastSeen, or null without a result. */
  ageMs: number | null;
  /** No result, or none recent enough: this region's probe may have stopped. */
  silent: boolean;
}

export interface FleetStatus {
  table: string;
  region: string;
  /** ISO 8601: when it was read. */
  readAt: string;
  staleAfterMs: number;
  incidents: Incident[];
  cells: StatusCell[];
  /** Probe regions every one of whose expected results is silent. */
  silentRegions: string[];
}

export interface ReadFleetStatusOptions {
  client: DynamoDBDocumentClient;
  table: string;
  /** The home region (for the report only; the client is already there). */
  region: string;
  targets: readonly ExpectedTarget[];
  probeRegions: readonly string[];
  staleAfterMs: number;
  now: Date;
}

/** Queries at once: one per target, as the notifier reads them. */
const READ_CONCURRENCY = 8;

export async function readFleetStatus(options: ReadFleetStatusOptions): Promise<FleetStatus> {
  const limit = pLimit(READ_CONCURRENCY);
  const [board, states] = await Promise.all([
    getBoard(options.client, options.table),
    Promise.all(
      options.targets.map((t) => limit(() => readTargetStates(options.client, options.table, t.name))),
    ),
  ]);
  return fleetStatusFrom(options, board.incidents, states.flat());
}

/** The status of the expected targets from the items read; pure, so the rules are tested directly. */
export function fleetStatusFrom(
  options: Omit<ReadFleetStatusOptions, 'client'>,
  incidents: readonly Incident[],
  states: readonly TargetState[],
): FleetStatus {
  const now = options.now.getTime();
  const byKey = new Map(states.map((s) => [`${s.target}\u0000${s.region}`, s]));
  const cells: StatusCell[] = [];
  for (const target of options.targets) {
    for (const region of target.regions) {
      const state = byKey.get(`${target.name}\u0000${region}`) ?? null;
      const seen = state ? Date.parse(state.lastSeen) : Number.NaN;
      const ageMs = Number.isFinite(seen) ? Math.max(0, now - seen) : null;
      cells.push({
        target: target.name,
        region,
        state,
        ageMs,
        silent: ageMs === null || ageMs > options.staleAfterMs,
      });
    }
  }
  const silentRegions = options.probeRegions.filter((region) => {
    const expected = cells.filter((c) => c.region === region);
    return expected.length > 0 && expected.every((c) => c.silent);
  });
  return {
    table: options.table,
    region: options.region,
    readAt: options.now.toISOString(),
    staleAfterMs: options.staleAfterMs,
    incidents: incidents.filter((i) => i.open),
    cells,
    silentRegions,
  };
}
