import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ASSUMPTIONS,
  fleetFromConfig,
  metricUsage,
  SECRET_CACHE_MINUTES,
} from '../../../functions/cost/from-config.ts';
import { deploymentInventory } from '../../../functions/cost/inventory.ts';
import { referenceFleet } from '../../../functions/cost/reference-fleet.ts';
import { DEFAULT_SECRET_TTL_MS } from '../../../functions/credentials/secrets.ts';
import { heartbeatDatum, resultMetricData } from '../../../functions/publish/metrics.ts';
import { HomeMetric } from '../../../functions/publish/metrics-catalog.ts';
import { validateConfig } from '../../../lib/config/validate.ts';
import { healthyResult } from '../handlers/probe-fixtures.ts';

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

const usage = (config = small) => Object.fromEntries(fleetFromConfig(config).metrics.map((m) => [m.name, m]));

describe('fleetFromConfig: metrics from the catalog', () => {
  it('bills one Failing series per target and one Heartbeat per region, all month, whatever the regions', () => {
    expect(usage().Failing).toEqual({ name: 'Failing', series: 2, hoursPerSeries: 730, sent: 'always' });
    expect(usage().Heartbeat).toEqual({ name: 'Heartbeat', series: 2, hoursPerSeries: 730, sent: 'always' });
  });

  it('prorates the warning metrics by the hours their warning is assumed to hold', () => {
    expect(usage().SlowMs).toMatchObject({
      series: 2,
      hoursPerSeries: DEFAULT_ASSUMPTIONS.slowHoursPerTarget,
    });
    // Only Docker Hub announces a pull budget; each registry host has one certificate series.
    expect(usage().RateLimitLowPercent).toMatchObject({
      series: 1,
      hoursPerSeries: DEFAULT_ASSUMPTIONS.rateLimitLowHoursPerTarget,
    });
    expect(usage().CertExpiringDays).toMatchObject({
      series: 2,
      hoursPerSeries: DEFAULT_ASSUMPTIONS.certExpiringHoursPerRegistry,
    });
  });

  it('sends from the probe exactly the metrics the model bills as always sent, and the warning ones only with their warning', () => {
    const at = new Date('2026-12-02T07:00:00Z');
    const healthy = resultMetricData('hub', 'registry-1.docker.io', healthyResult(), at);
    const always = Object.values(HomeMetric).filter((m) => m.sent === 'always' && m.dimension === 'Target');
    expect(healthy.map((d) => d.MetricName)).toEqual(always.map((m) => m.name));
    const warned = resultMetricData(
      'hub',
      'registry-1.docker.io',
      healthyResult({
        status: 'degraded',
        warnings: [
          { code: 'SLOW', summary: '' },
          { code: 'RATE_LIMIT_LOW', summary: '' },
          { code: 'CERT_EXPIRING', summary: '' },
        ],
      }),
      at,
    );
    const whileWarning = Object.values(HomeMetric).filter((m) => m.sent === 'while-warning');
    expect(new Set(warned.map((d) => d.MetricName))).toEqual(
      new Set(['Failing', ...whileWarning.map((m) => m.name)]),
    );
    expect(heartbeatDatum('eu-west-1', 2, at).MetricName).toBe(HomeMetric.heartbeat.name);
  });

  it('caps a warning that holds all month at the month', () => {
    const capped = metricUsage(deploymentInventory(small), {
      ...DEFAULT_ASSUMPTIONS,
      slowHoursPerTarget: 10_000,
    });
    expect(capped.find((m) => m.name === 'SlowMs')!.hoursPerSeries).toBe(730);
  });
});

describe('fleetFromConfig: runs, Lambda and requests', () => {
  const fleet = fleetFromConfig(small);

  it('takes targets, regions and schedule from the config', () => {
    expect(fleet).toMatchObject({ probeRegions: 2, targets: 2, registries: 2, scheduleMinutes: 60 });
  });

  it('invokes each region once per run, at the memory the CDK sizing gives (256 + 16 × 2 slots + 2, rounded up to 384)', () => {
    expect(fleet.probe).toMatchObject({ memoryMb: 384, architecture: 'arm64', invocations: 1460 });
    expect(fleet.schedulerInvocations).toBe(1460);
    expect(fleet.putMetricDataRequests).toBe(1460);
  });

  it('counts every run as a cold start when runs are further apart than a container stays warm', () => {
    expect(fleet.probe.coldStarts).toBe(1460);
    const everyMinute = fleetFromConfig({ ...small, schedule: { everyMinutes: 1 } });
    expect(everyMinute.probe.coldStarts).toBe(2 * DEFAULT_ASSUMPTIONS.coldStartsPerShard);
  });

  it('writes state on every heartbeat, every failing run and after every cold start, at most once a run', () => {
    // Hourly: every run is a heartbeat and a cold start, written once (730 units), and the one
    // failing run (an hour a month) costs one unit more.
    const perItem = 730 + 1;
    expect(fleet.dynamodb.writeUnits).toBe(4 * perItem + DEFAULT_ASSUMPTIONS.incidentsPerMonth * 8);
  });

  it('reads a secret once per cache period per container, as the probe caches it', () => {
    expect(SECRET_CACHE_MINUTES * 60_000).toBe(DEFAULT_SECRET_TTL_MS);
    const withSecret = validateConfig({
      ...small,
      schedule: { everyMinutes: 1 },
      targets: [
        {
          name: 'private',
          image: 'registry.corp.example/a:1',
          credentials: { type: 'basic', secret: 'corp/pull' },
        },
      ],
    });
    const f = fleetFromConfig(withSecret);
    expect(f.secrets.count).toBe(1);
    // Two regions, each: one read per 5 minutes (8,760) plus one per cold start (360).
    expect(f.secrets.apiCalls).toBe(2 * (8_760 + 360));
  });

  it('logs one measured result line per target per run', () => {
    expect(fleet.logs.resultLinesBytes).toBe(1460 * 2 * DEFAULT_ASSUMPTIONS.logBytesPerTargetResult);
  });
});

describe('state writes at a fast schedule', () => {
  it('writes a healthy item on its heartbeat and once after each cold start, a failing one every run', () => {
    const fleet = fleetFromConfig({ ...small, schedule: { everyMinutes: 1 } });
    // 2,920 heartbeats (every 15 min) + 360 cold starts + 60 failing runs at 2 units.
    const perItem = 2_920 + 360 + 60 * 2;
    expect(fleet.dynamodb.writeUnits).toBe(4 * perItem + DEFAULT_ASSUMPTIONS.incidentsPerMonth * 8);
  });
});

describe('a fleet large enough to shard', () => {
  it('bills one invocation and one PutMetricData per shard per run, each at the memory of one shard', () => {
    const config = validateConfig({
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1'],
      schedule: { everyMinutes: 15 },
      targets: Array.from({ length: 250 }, (_, i) => ({ name: `t${i}`, image: `ghcr.io/team/app${i}:1` })),
    });
    const fleet = fleetFromConfig(config);
    // 3 shards of at most 84 targets: 256 + 16 × 16 slots + 84 = 596, rounded up to 640 MB.
    expect(fleet).toMatchObject({ invocationsPerTick: 3, probe: { memoryMb: 640, invocations: 3 * 2920 } });
    expect(fleet.putMetricDataRequests).toBe(3 * 2920);
    expect(deploymentInventory(config).schedules).toBe(3);
  });
});

describe('the reference fleet', () => {
  const fleet = fleetFromConfig(validateConfig(referenceFleet));

  it('is 20 targets on 9 registries in 3 regions every minute', () => {
    expect(fleet).toMatchObject({ targets: 20, registries: 9, probeRegions: 3, scheduleMinutes: 1 });
  });

  it('bills 20 Failing and 3 Heartbeat series, not a series per target × region × kind', () => {
    const names = Object.fromEntries(fleet.metrics.map((m) => [m.name, m.series]));
    expect(names).toMatchObject({ Failing: 20, Heartbeat: 3, SlowMs: 20, CertExpiringDays: 9 });
  });
});

describe('fleetFromConfig: alert channel subscribers', () => {
  const withChannels = (notifications: Record<string, unknown>) =>
    validateConfig({
      homeRegion: 'us-east-1',
      probeRegions: ['us-east-1'],
      targets: [{ name: 'hub', image: 'alpine' }],
      notifications: { emails: ['oncall@example.com'], ...notifications },
    });
  const alerts = DEFAULT_ASSUMPTIONS.incidentsPerMonth * 2;

  it('bills nothing for channels when only email is configured', () => {
    const fleet = fleetFromConfig(withChannels({}));
    expect(fleet.channels?.invocations).toBe(0);
    expect(fleet.secrets.apiCalls).toBe(0);
  });

  it('bills one cold invocation and one secret read per alert for each of the Slack webhook, Slack app and PagerDuty', () => {
    const fleet = fleetFromConfig(
      withChannels({
        slackWebhookSecret: 'canary/slack-webhook',
        slackApp: { botTokenSecret: 'canary/slack-bot', channelId: 'C0123ABCD' },
        pagerDuty: { routingKeySecret: 'canary/pagerduty' },
      }),
    );
    expect(fleet.channels).toMatchObject({ invocations: 3 * alerts, coldStarts: 3 * alerts, memoryMb: 256 });
    expect(fleet.secrets.apiCalls).toBe(3 * alerts);
    const one = fleetFromConfig(withChannels({ pagerDuty: { routingKeySecret: 'canary/pagerduty' } }));
    expect(one.channels?.invocations).toBe(alerts);
  });
});
