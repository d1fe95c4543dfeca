import { describe, expect, it } from 'vitest';
import { countAlarms } from '../../../functions/cost/alarms.ts';
import { DEFAULT_ASSUMPTIONS, fleetFromConfig } from '../../../functions/cost/from-config.ts';
import { referenceFleet } from '../../../functions/cost/reference-fleet.ts';
import { validateConfig } from '../../../lib/config/validate.ts';

/** Two regions, hourly: one Docker Hub target (rate-limited) and one GHCR target. */
const small = validateConfig({
  homeRegion: 'us-east-1',
  probeRegions: ['us-east-1', 'eu-west-1'],
  schedule: { everyMinutes: 60 },
  targets: [
    { name: 'hub', image: 'alpine' },
    { name: 'ghcr', image: 'ghcr.io/linuxcontainers/busybox:latest' },
  ],
});

describe('fleetFromConfig', () => {
  const fleet = fleetFromConfig(small);

  it('takes targets, regions and schedule from the config', () => {
    expect(fleet).toMatchObject({ probeRegions: 2, targets: 2, scheduleMinutes: 60 });
  });

  it('takes Lambda memory from the same sizing the CDK app deploys with (256 + 16 × 2 slots + 2, rounded up to 384)', () => {
    expect(fleet.lambda).toEqual({
      memoryMb: 384,
      architecture: 'arm64',
      invocationSeconds: DEFAULT_ASSUMPTIONS.invocationSeconds,
      invocationsPerTick: 1,
    });
  });

  it('counts 5 per-target series for a Docker Hub target and 3 for GHCR, which announces no pull limit', () => {
    expect(fleet.metrics.perTargetPerRegion).toBe((5 + 3) / 2);
  });

  it('counts the 4 phase series once per registry, not per target', () => {
    expect(fleet).toMatchObject({ registries: 2, metrics: { perRegistryPerRegion: 4 } });
    const twoOnHub = fleetFromConfig(
      validateConfig({ ...small, targets: [...small.targets, { name: 'hub-nginx', image: 'nginx' }] }),
    );
    expect(twoOnHub).toMatchObject({ targets: 3, registries: 2, metrics: { perRegistryPerRegion: 4 } });
  });

  it('counts no DNS series for a registry addressed by IP literal', () => {
    const ip = fleetFromConfig(
      validateConfig({ ...small, targets: [{ name: 'ip', image: '192.0.2.10:5000/team/app:1' }] }),
    );
    expect(ip).toMatchObject({ registries: 1, metrics: { perRegistryPerRegion: 3 } });
  });

  it('copies 4 series home for Docker Hub (with the pull budget) and 3 for GHCR', () => {
    expect(fleet.metrics.homePerTargetPerRegion).toBe((4 + 3) / 2);
  });

  it('counts the per-invocation series and the assumed failure-code series per region', () => {
    expect(fleet.metrics.perRegion).toBe(2 + DEFAULT_ASSUMPTIONS.failureCodesPerRegion);
  });

  it('writes state on every heartbeat, every failing run and after every cold start', () => {
    expect(fleet.state.writeUnitsPerTargetPerRegion).toBe(730 + 60 * 2 + 360);
    expect(fleet.state.readUnitsPerInvocation).toBe(0);
  });

  it('averages per-target figures over the regions a target is limited to, keeping totals exact', () => {
    const limited = validateConfig({
      ...small,
      targets: [small.targets[0], { ...small.targets[1], regions: ['eu-west-1'] }],
    });
    const f = fleetFromConfig(limited);
    expect(f.targets * f.probeRegions).toBe(3);
    expect(f.metrics.perTargetPerRegion * 3).toBe(5 + 5 + 3);
    // Docker Hub in both regions, GHCR in one: 3 (registry, region) pairs of 4 phase series.
    expect(f.registries * f.probeRegions).toBe(3);
    expect(f.metrics.perRegistryPerRegion).toBe(4);
  });
});

describe('countAlarms', () => {
  it('bills each metric-math alarm once per region it reads, plus a silent-region alarm per region and the dead-letter alarms', () => {
    // hub: (any, many, cert, latency, rate limit) × 2 regions + 2 silent = 12; ghcr: 4 × 2 + 2 = 10;
    // probe DLQs: 2; notifier DLQ: 1.
    expect(countAlarms(small)).toEqual({ standardMetrics: 25, highResolutionMetrics: 0, composite: 0 });
  });

  it('has no many-regions alarm for a single-region target', () => {
    const one = validateConfig({ ...small, probeRegions: ['us-east-1'] });
    // hub: (any, cert, latency, rate limit) + silent = 5; ghcr: 3 + 1 = 4; DLQs: 1 + 1.
    expect(countAlarms(one).standardMetrics).toBe(11);
  });
});

describe('a fleet large enough to shard', () => {
  it('bills one invocation per shard per run, each at the memory of one shard', () => {
    const config = validateConfig({
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1'],
      schedule: { everyMinutes: 15 },
      targets: Array.from({ length: 250 }, (_, i) => ({ name: `t${i}`, image: `ghcr.io/team/app${i}:1` })),
    });
    // 3 shards of at most 84 targets: 256 + 16 × 16 slots + 84 = 596, rounded up to 640 MB.
    expect(fleetFromConfig(config).lambda).toMatchObject({ invocationsPerTick: 3, memoryMb: 640 });
  });
});

describe('the reference fleet', () => {
  const fleet = fleetFromConfig(validateConfig(referenceFleet));

  it('is 20 targets in 3 regions every minute', () => {
    expect(fleet).toMatchObject({ targets: 20, probeRegions: 3, scheduleMinutes: 1 });
  });

  it('has 8 rate-limited targets (Docker Hub and ECR Public) among its 20', () => {
    // 8 × 5 + 12 × 3 per-target series per region, 8 × 4 + 12 × 3 home series per region.
    expect(fleet.metrics.perTargetPerRegion * 20).toBe(76);
    expect(fleet.metrics.homePerTargetPerRegion * 20).toBe(68);
  });

  it('has its 20 targets on 9 registries, so 9 × 4 phase series per region instead of 20 × 4', () => {
    expect(fleet.registries).toBe(9);
    expect(fleet.registries * fleet.metrics.perRegistryPerRegion).toBe(36);
  });
});
