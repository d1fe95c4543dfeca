import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import defaultConfig from '../../../../config/default.ts';
import { ConfigError } from '../../../../lib/config/errors.ts';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { type CanaryConfigInput, LOG_RETENTION_DAYS } from '../../../../lib/config/schema.ts';
import { probeSizing } from '../../../../lib/config/sizing.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';

const base: CanaryConfigInput = {
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1', 'us-east-1'],
  targets: [
    { name: 'hub', image: 'alpine' },
    {
      name: 'private',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1',
      credentials: { type: 'ecr' },
    },
  ],
};

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function problemsOf(input: unknown, deps: Parameters<typeof validateConfig>[2] = {}): string[] {
  try {
    validateConfig(input, 'test.ts', deps);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the config to be refused');
}

describe('validateConfig', () => {
  it('accepts a minimal config and fills in every default', () => {
    const config = validateConfig(base);
    expect(config.schedule.everyMinutes).toBe(5);
    expect(config.concurrency).toBe(16);
    expect(config.defaults).toEqual({
      slowMs: 5000,
      certExpiryDays: 14,
      rateLimitRatio: 0.2,
      timeoutMs: 10_000,
    });
    expect(config.targets[0]).toMatchObject({
      credentials: { type: 'anonymous' },
      platforms: ['linux/amd64'],
      enabled: true,
    });
  });

  it("keeps a target's thresholds to the fields it sets, so the others come from defaults", () => {
    const config = validateConfig({
      ...base,
      defaults: { slowMs: 3_000 },
      targets: [{ name: 'x', image: 'alpine', thresholds: { timeoutMs: 5_000 } }],
    });
    expect(config.targets[0]!.thresholds).toEqual({ timeoutMs: 5_000 });
    expect(config.defaults.slowMs).toBe(3_000);
  });

  it('accepts the shipped default config, which probes the public registries', () => {
    const config = validateConfig(defaultConfig);
    const hosts = config.targets.map((t) => t.image.split('/')[0]);
    expect(hosts).toEqual(
      expect.arrayContaining([
        'docker.io',
        'public.ecr.aws',
        'gcr.io',
        'registry.k8s.io',
        'ghcr.io',
        'mirror.gcr.io',
      ]),
    );
    expect(hosts.some((h) => h?.endsWith('-docker.pkg.dev'))).toBe(true);
  });

  it('names the target and the reference problem for an invalid image', () => {
    const input = { ...base, targets: [...base.targets, { name: 'bad', image: 'Docker.io/UPPER/Case:tag' }] };
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(/^targets\[2\]\.image: invalid reference "Docker\.io\/UPPER\/Case:tag": .+/),
    ]);
  });

  it('lists an invalid image together with shape problems, in one synth', () => {
    const input = {
      ...base,
      schedule: { everyMinutes: 0 },
      targets: [...base.targets, { name: 'bad', image: 'Docker.io/UPPER/Case:tag' }],
    };
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(/^schedule\.everyMinutes: /),
      expect.stringMatching(/^targets\[2\]\.image: invalid reference "Docker\.io\/UPPER\/Case:tag": .+/),
    ]);
  });

  it('refuses a schedule faster than one minute', () => {
    expect(problemsOf({ ...base, schedule: { everyMinutes: 0 } })).toEqual([
      expect.stringMatching(/^schedule\.everyMinutes: .*>=1/),
    ]);
  });

  it('refuses a target region that is not a probe region', () => {
    const input = { ...base, targets: [{ name: 'x', image: 'alpine', regions: ['ap-south-1'] }] };
    expect(problemsOf(input)).toEqual(['targets[0].regions[0]: ap-south-1 is not one of probeRegions']);
  });

  it('refuses two targets with the same name, whatever the case', () => {
    const input = {
      ...base,
      targets: [
        { name: 'hub', image: 'alpine' },
        { name: 'HUB', image: 'busybox' },
      ],
    };
    expect(problemsOf(input)).toEqual([
      'targets[1].name: "HUB" is already the name of targets[0] (names are case-insensitive)',
    ]);
  });

  it('refuses ECR credentials for a host that is not ECR and no region', () => {
    const input = { ...base, targets: [{ name: 'x', image: 'ghcr.io/a/b', credentials: { type: 'ecr' } }] };
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(/^targets\[0\]\.credentials: type "ecr" needs an ECR host/),
    ]);
  });

  it('refuses an unknown credential type, naming the field', () => {
    const input = { ...base, targets: [{ name: 'x', image: 'alpine', credentials: { type: 'kerberos' } }] };
    expect(problemsOf(input)).toEqual([expect.stringMatching(/^targets\[0\]\.credentials\.type: /)]);
  });

  it('refuses a rateLimitAlarm that is not a boolean, naming the target and the field', () => {
    const input = {
      ...base,
      targets: [{ name: 'corp', image: 'registry.corp.example/a:1', rateLimitAlarm: 'yes' }],
    };
    expect(problemsOf(input)).toEqual([expect.stringMatching(/^targets\[0\]\.rateLimitAlarm: .*boolean/i)]);
  });

  it('leaves rateLimitAlarm unset by default, so the registry profile decides', () => {
    const config = validateConfig(
      { ...base, targets: [{ name: 'corp', image: 'registry.corp.example/a:1' }] },
      't.ts',
    );
    expect(config.targets[0]!.rateLimitAlarm).toBeUndefined();
    expect(
      validateConfig(
        { ...base, targets: [{ name: 'c', image: 'c.example/a:1', rateLimitAlarm: true }] },
        't.ts',
      ).targets[0]!.rateLimitAlarm,
    ).toBe(true);
  });

  it('refuses an unknown field instead of ignoring a typo', () => {
    expect(problemsOf({ ...base, homeregion: 'eu-west-1' })).toEqual([
      expect.stringMatching(/^\(config\): Unrecognized key: "homeregion"/),
    ]);
  });

  it('refuses M of N where M is larger than N', () => {
    expect(problemsOf({ ...base, alarms: { datapointsToAlarm: 4, evaluationPeriods: 3 } })).toEqual([
      'alarms.datapointsToAlarm: 4 is more than alarms.evaluationPeriods (3)',
    ]);
  });

  it('refuses a VPC placement for a region that is not probed', () => {
    const vpc = {
      'ap-south-1': { vpcId: 'vpc-0abc1234', subnetIds: ['subnet-0abc1234'], securityGroupId: 'sg-0abc1234' },
    };
    expect(problemsOf({ ...base, vpc })).toEqual(['vpc.ap-south-1: ap-south-1 is not one of probeRegions']);
  });

  it("refuses a fleet one run cannot probe before the next is due, naming the target's timeoutMs", () => {
    // Sharding (lib/config/shards.ts) splits a large fleet, but cannot shorten one target's own deadline.
    const targets = [{ name: 't0', image: 'alpine', thresholds: { timeoutMs: 60_000 } }];
    expect(problemsOf({ ...base, targets, concurrency: 1, schedule: { everyMinutes: 1 } })).toEqual([
      'targets[0].thresholds.timeoutMs: a probe of "t0" may take 60000 ms plus 2 s to stop and 15 s to publish, 77 s in all, longer than the 60 s between runs (schedule.everyMinutes 1); lower it to at most 43000 or raise schedule.everyMinutes',
    ]);
  });

  it('accepts VPC, subnet and security group ids of 8 or 17 hexadecimal characters', () => {
    const vpc = {
      'eu-west-1': {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0abc1234', 'subnet-0123456789abcdef0'],
        securityGroupId: 'sg-0abc1234',
      },
    };
    expect(validateConfig({ ...base, vpc }).vpc).toEqual(vpc);
  });

  it('refuses EC2 ids of another length, naming each field, as the deploy would', () => {
    const vpc = {
      'eu-west-1': {
        vpcId: 'vpc-0abc123',
        subnetIds: ['subnet-0abc1234', 'subnet-XYZ'],
        securityGroupId: 'sg-0abc',
      },
    };
    expect(problemsOf({ ...base, vpc })).toEqual([
      'vpc.eu-west-1.vpcId: must be a VPC id: "vpc-" and 8 or 17 hexadecimal characters, e.g. vpc-0123456789abcdef0',
      'vpc.eu-west-1.subnetIds[1]: must be a subnet id: "subnet-" and 8 or 17 hexadecimal characters, e.g. subnet-0123456789abcdef0',
      'vpc.eu-west-1.securityGroupId: must be a security group id: "sg-" and 8 or 17 hexadecimal characters, e.g. sg-0123456789abcdef0',
    ]);
  });

  it('sets plainHttp false unless a target asks for it, and refuses a value that is not a boolean', () => {
    const config = validateConfig({
      ...base,
      targets: [
        { name: 'tls', image: 'alpine' },
        { name: 'internal', image: 'registry.internal:5000/team/app:1', plainHttp: true },
      ],
    });
    expect(config.targets.map((t) => t.plainHttp)).toEqual([false, true]);
    expect(problemsOf({ ...base, targets: [{ name: 'x', image: 'alpine', plainHttp: 'yes' }] })).toEqual([
      expect.stringMatching(/^targets\[0\]\.plainHttp: .*boolean/i),
    ]);
  });

  it('refuses a log retention CloudWatch Logs does not offer', () => {
    expect(problemsOf({ ...base, logRetentionDays: 45 })).toEqual([
      expect.stringMatching(
        /^logRetentionDays: must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5, .*, 3653 days$/,
      ),
    ]);
  });

  it('accepts only retentions that are RetentionDays values, so the cast in the stacks is sound', () => {
    const cdkValues = Object.values(RetentionDays).filter((v) => typeof v === 'number');
    for (const days of LOG_RETENTION_DAYS) expect(cdkValues).toContain(days);
    expect(validateConfig({ ...base, logRetentionDays: 731 }).logRetentionDays).toBe(731);
  });

  it('refuses two target names that become the same metric id, naming both', () => {
    const input = {
      ...base,
      targets: [
        { name: 'app.v1', image: 'alpine' },
        { name: 'hub', image: 'busybox' },
        { name: 'app-v1', image: 'nginx' },
      ],
    };
    expect(problemsOf(input)).toEqual([
      'targets[2].name: "app-v1" and targets[0].name "app.v1" differ only in ".", "_" or "-", which metric ids cannot tell apart (both become "app_v1"); rename one',
    ]);
  });

  it('refuses an alarm window longer than the one day CloudWatch allows for periods under an hour', () => {
    expect(validateConfig({ ...base, alarms: { evaluationPeriods: 288 } }).alarms.evaluationPeriods).toBe(
      288,
    );
    expect(problemsOf({ ...base, alarms: { evaluationPeriods: 289 } })).toEqual([
      'alarms.evaluationPeriods: 289 periods of 5 min look back 1445 min; CloudWatch allows at most 1440 min (288 periods) for this period',
    ]);
  });

  it('allows up to seven days of hourly periods, as CloudWatch does', () => {
    const hourly = { ...base, schedule: { everyMinutes: 60 } };
    expect(validateConfig({ ...hourly, alarms: { evaluationPeriods: 168 } }).alarms.evaluationPeriods).toBe(
      168,
    );
    expect(problemsOf({ ...hourly, alarms: { evaluationPeriods: 169 } })).toEqual([
      'alarms.evaluationPeriods: 169 periods of 60 min look back 10140 min; CloudWatch allows at most 10080 min (168 periods) for this period',
    ]);
  });

  it('refuses a CA bundle path that cannot be read, naming caBundle.path and where it looked', () => {
    const readFile = (file: string): string => {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
    };
    expect(
      problemsOf({ ...base, caBundle: { path: 'ca.pem' } }, { baseDir: '/etc/canary', readFile }),
    ).toEqual([
      "caBundle.path: cannot read ca.pem (/etc/canary/ca.pem): ENOENT: no such file or directory, open '/etc/canary/ca.pem'",
    ]);
  });

  it('refuses an empty CA bundle file', () => {
    expect(
      problemsOf({ ...base, caBundle: { path: 'ca.pem' } }, { baseDir: '/etc/canary', readFile: () => '\n' }),
    ).toEqual(['caBundle.path: ca.pem (/etc/canary/ca.pem) is empty']);
  });

  it('refuses a CA bundle file that holds no certificate', () => {
    const readFile = () => '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n';
    expect(
      problemsOf({ ...base, caBundle: { path: 'ca.pem' } }, { baseDir: '/etc/canary', readFile }),
    ).toEqual([
      'caBundle.path: ca.pem (/etc/canary/ca.pem) holds no PEM certificate (BEGIN ... END CERTIFICATE)',
    ]);
  });

  it('refuses an inline CA bundle whose certificate is cut short', () => {
    expect(problemsOf({ ...base, caBundle: { pem: '-----BEGIN CERTIFICATE-----\nMIIB' } })).toEqual([
      'caBundle.pem: holds no complete PEM certificate (BEGIN ... END CERTIFICATE)',
    ]);
  });

  it('reads the CA bundle once, relative to baseDir, and inlines it, keeping the file it came from', () => {
    const read: string[] = [];
    const config = validateConfig({ ...base, caBundle: { path: '../certs/ca.pem' } }, 'test.ts', {
      baseDir: '/etc/canary',
      readFile: (file) => {
        read.push(file);
        return PEM;
      },
    });
    expect(read).toEqual(['/etc/certs/ca.pem']);
    // readFrom is relative to the working directory (the checkout synth runs in), for --ca-file.
    expect(config.caBundle).toEqual({
      pem: PEM,
      readFrom: path.relative(process.cwd(), '/etc/certs/ca.pem'),
    });
  });

  it('refuses tags CloudWatch would refuse on the alarms, naming the target and the tag', () => {
    const input = {
      ...base,
      targets: [{ name: 'x', image: 'alpine', tags: { 'aws:team': 'a', tier: 'gold#1' } }],
    };
    expect(problemsOf(input)).toEqual([
      'targets[0].tags.tier: a tag value may hold only letters, digits, spaces and _ . : / = + - @',
      'targets[0].tags.aws:team: a tag key must not start with "aws:" (reserved for AWS)',
    ]);
  });

  it('refuses more tags than fit on an alarm beside the Owner tag', () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsOf({ ...base, targets: [{ name: 'x', image: 'alpine', tags }] })).toEqual([
      'targets[0].tags: at most 49 tags (CloudWatch allows 50 per alarm, and the owner takes one)',
    ]);
  });

  it('refuses an owner that cannot be the Owner tag of its alarms', () => {
    expect(problemsOf({ ...base, targets: [{ name: 'x', image: 'alpine', owner: '#payments' }] })).toEqual([
      "targets[0].owner: may hold only letters, digits, spaces and _ . : / = + - @ (it is also the alarms' Owner tag)",
    ]);
  });

  it('lists every problem at once', () => {
    const input = { ...base, homeRegion: 'eu-wset-1', targets: [{ name: 'bad name', image: 'alpine' }] };
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(/^targets\[0\]\.name: must be 1-63 characters/),
      'homeRegion: "eu-wset-1" is not an AWS region; did you mean "eu-west-1"?',
    ]);
  });

  it('lists shape and cross-field problems of a config with many mistakes, all in one synth', () => {
    const input = {
      homeRegion: 'eu-wset-1',
      probeRegions: ['eu-west-1', 'us-east-1', 'eu-west-1', 'cn-north-1'],
      schedule: { everyMinutes: 0 },
      alarms: { datapointsToAlarm: 4, evaluationPeriods: 3 },
      notifications: { emial: ['oncall@example.com'] },
      vpc: {
        'ap-south-1': {
          vpcId: 'vpc-0abc1234',
          subnetIds: ['subnet-0abc1234'],
          securityGroupId: 'sg-0abc1234',
        },
        'us-east-1': { vpcId: 'vpc-0abc1234', subnetIds: ['subnet-0abc1234'], securityGroupId: 'sg-0abc' },
      },
      targets: [
        { name: 'bad name', image: 'alpine', regions: ['us-east-1', 'ap-south-1'] },
        { name: 'hub', image: 'Docker.io/UPPER/Case:tag' },
        { name: 'HUB', image: 'alpine', plainHttp: 'no' },
        { name: 'x', image: 'ghcr.io/a/b', credentials: { type: 'ecr' } },
      ],
    };

    expect(problemsOf(input)).toEqual([
      // Shape, from zod:
      expect.stringMatching(/^schedule\.everyMinutes: /),
      expect.stringMatching(/^targets\[0\]\.name: must be 1-63 characters/),
      expect.stringMatching(/^targets\[2\]\.plainHttp: .*boolean/i),
      'notifications: Unrecognized key: "emial"',
      expect.stringMatching(/^vpc\.us-east-1\.securityGroupId: must be a security group id/),
      // Across fields, though the shape failed:
      'homeRegion: "eu-wset-1" is not an AWS region; did you mean "eu-west-1"?',
      expect.stringMatching(
        /^probeRegions\[3\]: cn-north-1 is in the aws-cn partition and probeRegions\[0\] eu-west-1 in aws;/,
      ),
      'vpc.ap-south-1: ap-south-1 is not one of probeRegions',
      'targets[0].regions[1]: ap-south-1 is not one of probeRegions',
      'probeRegions: lists a region twice',
      'alarms.datapointsToAlarm: 4 is more than alarms.evaluationPeriods (3)',
      expect.stringMatching(/^targets\[1\]\.image: invalid reference "Docker\.io\/UPPER\/Case:tag": /),
      'targets[2].name: "HUB" is already the name of targets[1] (names are case-insensitive)',
      expect.stringMatching(/^targets\[3\]\.credentials: type "ecr" needs an ECR host/),
    ]);
  });

  it('checks the partition of the probe regions even when other fields are malformed', () => {
    const input = { ...base, probeRegions: ['eu-west-1', 'cn-north-1'], concurrency: 0 };
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(/^concurrency: /),
      expect.stringMatching(/^probeRegions\[1\]: cn-north-1 is in the aws-cn partition/),
    ]);
  });
});

describe('probeSizing', () => {
  it('sizes memory and timeout from the number of targets and the concurrency', () => {
    const small = probeSizing(validateConfig(base), 'eu-west-1');
    expect(small).toEqual({ targetCount: 2, memoryMb: 384, timeoutSeconds: 30 });

    const targets = Array.from({ length: 100 }, (_, i) => ({ name: `t${i}`, image: `alpine:${i}` }));
    const large = probeSizing(validateConfig({ ...base, targets }), 'eu-west-1');
    // 100 targets in waves of 16 → 7 waves × (10 s + 2 s grace) + 15 s reserve
    expect(large).toEqual({ targetCount: 100, memoryMb: 640, timeoutSeconds: 99 });
  });
});

describe('loadConfig', () => {
  it('loads the default TypeScript config', async () => {
    const config = await loadConfig('config/default.ts');
    expect(config.targets.length).toBeGreaterThanOrEqual(6);
  });

  it("reads a relative caBundle.path from the config file's directory, not the working directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-config-'));
    mkdirSync(path.join(dir, 'certs'));
    writeFileSync(path.join(dir, 'certs', 'ca.pem'), PEM);
    writeFileSync(
      path.join(dir, 'canary.json'),
      JSON.stringify({ ...base, caBundle: { path: 'certs/ca.pem' } }),
    );

    const config = await loadConfig(path.join(dir, 'canary.json'), tmpdir());

    expect(config.caBundle).toEqual({
      pem: PEM,
      readFrom: path.join(path.basename(dir), 'certs', 'ca.pem'),
    });
  });

  it('fails with a ConfigError naming caBundle.path when the file is missing next to the config', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-config-'));
    writeFileSync(path.join(dir, 'canary.json'), JSON.stringify({ ...base, caBundle: { path: 'ca.pem' } }));

    const loading = loadConfig(path.join(dir, 'canary.json'));

    await expect(loading).rejects.toBeInstanceOf(ConfigError);
    await expect(loading).rejects.toThrow(
      `caBundle.path: cannot read ca.pem (${path.join(dir, 'ca.pem')}): ENOENT: no such file or directory`,
    );
  });

  it('says which file could not be loaded', async () => {
    await expect(loadConfig('config/missing.ts')).rejects.toThrow(/config\/missing\.ts.*cannot load/s);
  });
});

describe('validateConfig: notifications', () => {
  it('accepts every notification setting together', () => {
    const notifications = {
      emails: ['oncall@example.com'],
      amazonQ: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
      slackWebhookSecret: 'registry-canary/slack-webhook',
      subscribedElsewhere: true,
      reminderMinutes: 30,
      updateHoldBackSeconds: 90,
    };
    expect(validateConfig({ ...base, notifications }).notifications).toEqual(notifications);
  });

  it('holds updates back 120 seconds by default, also when notifications are left out', () => {
    expect(validateConfig(base).notifications.updateHoldBackSeconds).toBe(120);
    expect(
      validateConfig({ ...base, notifications: { emails: [] } }).notifications.updateHoldBackSeconds,
    ).toBe(120);
  });

  it.each([-1, 601, 1.5])('refuses an update hold-back of %s seconds, naming the field', (seconds) => {
    expect(problemsOf({ ...base, notifications: { updateHoldBackSeconds: seconds } })).toEqual([
      expect.stringMatching(/^notifications\.updateHoldBackSeconds: /),
    ]);
  });

  it('refuses a misspelt notifications key instead of leaving the alerts unconfigured', () => {
    const input = { ...base, notifications: { emial: ['oncall@example.com'] } };
    expect(problemsOf(input)).toEqual(['notifications: Unrecognized key: "emial"']);
  });

  it('refuses the old free-form slack block, naming it', () => {
    const input = { ...base, notifications: { slack: { webhook: 'https://hooks.slack.com/x' } } };
    expect(problemsOf(input)).toEqual(['notifications: Unrecognized key: "slack"']);
  });

  it('refuses an unknown key inside amazonQ, naming the path', () => {
    const amazonQ = { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD', channel: '#alerts' };
    expect(problemsOf({ ...base, notifications: { amazonQ } })).toEqual([
      'notifications.amazonQ: Unrecognized key: "channel"',
    ]);
  });

  it('refuses a negative reminder period, naming the field', () => {
    expect(problemsOf({ ...base, notifications: { reminderMinutes: -1 } })).toEqual([
      expect.stringMatching(/^notifications\.reminderMinutes: .*>=0/),
    ]);
  });
});
