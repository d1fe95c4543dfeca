/**
 * The notifier end to end, scenario by scenario (issue 11): each asserts what every channel gets,
 * the email subject and body, the Amazon Q notification, the short SMS and HTTPS texts, the Slack
 * Block Kit message the webhook subscriber posts, and the message attributes subscription filter
 * policies route on. The harness (harness.ts) scans every output for the test credentials.
 */

import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import type { DiagnosisCode } from '../../../functions/probe/codes.ts';
import { alarmName } from '../../../functions/publish/alarm-catalog.ts';
import { decodeLogsInsightsDetail } from '../../../functions/publish/notification/links.ts';
import { handleAlarmBatch, sweep } from '../../../functions/publish/notification/notifier.ts';
import { getBoard } from '../../../functions/publish/state-incident.ts';
import { certificateSubject } from '../../../lib/constructs/fleet-alarms.ts';
import {
  alarm,
  at,
  DASHBOARD,
  deps,
  ECR,
  expectWithinLimits,
  failing,
  failingAlarm,
  h,
  iso,
  probe,
  REGIONS,
  result,
  type Sent,
  saveExample,
  sent,
  sns,
  useNotifierHarness,
} from './harness.ts';

useNotifierHarness();

describe('alert scenarios', () => {
  it('a registry outage in every region: one critical alert, code and scope first, targets with the same diagnosis once', async () => {
    const targets = ['hub-alpine', 'hub-nginx', 'hub-redis'];
    for (const region of REGIONS) {
      await probe(region, Object.fromEntries(targets.map((t) => [t, failing(t, 'REGISTRY_UNAVAILABLE')])));
    }
    vi.setSystemTime(at(2));
    const batch = targets.flatMap((t) => [
      failingAlarm(t, 'ALARM', 1),
      alarm('FailingInManyRegions', t, 'ALARM', 1, t),
    ]);

    expect((await handleAlarmBatch(batch, deps())).batchItemFailures).toEqual([]);

    const [opened, ...rest] = await sent();
    expect(rest).toHaveLength(0);
    expectWithinLimits(opened as Sent);
    const m = opened as Sent;
    saveExample('registry-outage', m);
    expect(m.subject).toBe('FAILING REGISTRY_UNAVAILABLE in all 3 regions: registry-1.docker.io (3 targets)');
    expect(m.attributes).toEqual({
      severity: 'critical',
      event: 'opened',
      cause: 'registry',
      owner: '["data","platform"]',
      registry: '["registry-1.docker.io"]',
      region: '["ap-southeast-1","eu-west-1","us-east-1"]',
    });
    expect(m.inputs.email.MessageAttributes?.['owner']?.DataType).toBe('String.Array');
    expect(m.alert.groups).toHaveLength(1);
    expect(m.alert.groups[0]?.targets.map((t) => t.target)).toEqual(targets);
    // The diagnosis appears once, with its three targets, in every channel.
    expect(m.email.match(/\* REGISTRY_UNAVAILABLE: 3 targets/g)).toHaveLength(1);
    expect(m.email).toContain('Registry fault: registry-1.docker.io fails for its targets');
    expect(m.email).toContain('Owner:      data, platform');
    expect(m.chatbot.content.title).toBe(`:rotating_light: ${m.subject}`);
    expect(m.chatbot.content.description.match(/`REGISTRY_UNAVAILABLE`/g)).toHaveLength(1);
    expect(m.chatbot.metadata.threadId).toBe(`registry-canary/registry:registry-1.docker.io/${iso(1)}`);
    expect(m.sms).toBe(`${m.subject} Owner: data,platform`.slice(0, 140));
    expect(m.https).toContain('Severity: CRITICAL; owner: data, platform');
    expect((m.slack.blocks[0]?.['text'] as { text?: string } | undefined)?.text).toBe(m.subject);
    // Links: the failing runs in each failing region's probe log group, the alarm, the dashboard, the runbook.
    expect(m.alert.links.logs.map((l) => l.region)).toEqual(REGIONS);
    const detail = decodeLogsInsightsDetail(m.alert.links.logs[0]?.url ?? '');
    expect(decodeURIComponent(detail.replaceAll('*', '%'))).toContain(
      "filter message = 'probe result' and status = 'failing' and target in ['hub-alpine', 'hub-nginx', 'hub-redis']",
    );
    expect(detail).toContain("source~(~'*2Fregistry-canary*2Fprobe)");
    expect(m.alert.links.alarms[0]?.url).toBe(
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/${alarmName('FailingInAnyRegion', 'hub-alpine')}`,
    );
    expect(m.email).toContain(`Dashboard:                ${DASHBOARD}`);
    expect(m.alert.links.runbook).toBe('https://example.com/runbooks/REGISTRY_UNAVAILABLE.md');
  });

  it('a credential failure in one region: the registry incident, scoped to that region, the code kept in a long ECR title', async () => {
    await probe('eu-west-1', { 'ecr-api': failing('ecr-api', 'AUTH_FAILED') });
    await probe('us-east-1', { 'ecr-api': result('ecr-api') });
    await probe('ap-southeast-1', { 'ecr-api': result('ecr-api') });

    await handleAlarmBatch([failingAlarm('ecr-api', 'ALARM', 1)], deps());

    const [m] = await sent();
    expectWithinLimits(m as Sent);
    saveExample('credential-one-region', m as Sent);
    expect(m?.subject).toBe(`FAILING AUTH_FAILED in eu-west-1: ${ECR} (1 target)`);
    expect(m?.alert.cause).toBe('registry');
    expect(m?.attributes['owner']).toBe('["payments"]');
    expect(m?.email).toContain('Where:      failing in 1 of 3 regions: eu-west-1');
  });

  it('keeps status, code and scope when the registry host is longer than the subject limit', async () => {
    const host = `${'very-long-private-registry-host-name.'.repeat(3)}example.com`;
    const fleet = new Map([['long', host]]);
    for (const region of REGIONS)
      await probe(region, { long: failing('long', 'TLS_UNTRUSTED', { registry: host }) });

    await handleAlarmBatch([failingAlarm('long', 'ALARM', 1)], deps({ targetRegistries: fleet }));

    const [m] = await sent();
    expect(m?.subject.length).toBeLessThan(100);
    expect(m?.subject).toMatch(
      /^FAILING TLS_UNTRUSTED in all 3 regions: very-long-private-registry-host-name\..*\.\.\.$/,
    );
  });

  it('an expired certificate pages, one expiring elsewhere warns: two incidents, two looks, and the warning reminded at most daily', async () => {
    const probeAll = async () => {
      for (const region of REGIONS) {
        await probe(region, {
          'quay-tool': failing('quay-tool', 'TLS_EXPIRED'),
          'private-web': result('private-web', {
            status: 'degraded',
            warnings: [{ code: 'CERT_EXPIRING', summary: 'The certificate expires in 9 days' }],
            tls: {
              subject: 'CN=web',
              issuer: 'CN=internal',
              validTo: '2026-12-01T00:00:00.000Z',
              daysRemaining: 9,
              protocol: 'TLSv1.3',
            },
          }),
        });
      }
    };
    await probeAll();
    const certAlarm = alarm(
      'CertificateExpiring',
      certificateSubject('registry.internal.example.com:5000'),
      'ALARM',
      1,
    );

    await handleAlarmBatch([failingAlarm('quay-tool', 'ALARM', 1), certAlarm], deps());

    const messages = await sent();
    expect(messages.map((m) => m.subject).sort()).toEqual([
      'FAILING TLS_EXPIRED in all 3 regions: quay.io (1 target)',
      'WARNING CERT_EXPIRING in 9 days: registry.internal.example.com:5000 (1 target)',
    ]);
    const warning = messages.find((m) => m.alert.severity === 'warning') as Sent;
    saveExample('certificate-expiring', warning);
    saveExample('certificate-expired', messages.find((m) => m.alert.severity === 'critical') as Sent);
    expectWithinLimits(warning);
    expect(warning.attributes['severity']).toBe('warning');
    expect(warning.chatbot.content.title.startsWith(':warning: ')).toBe(true);
    expect(warning.email).toContain('Severity:   WARNING');
    expect(warning.alert.links.runbook).toBe('https://example.com/runbooks/CERT_EXPIRING.md');
    expect(warning.attributes['owner']).toBe('["web"]');

    // An hour later the failure is reminded, the warning is not; a day later the warning is.
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    vi.setSystemTime(at(62));
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 1 });
    expect((await sent())[0]?.subject).toMatch(/^STILL FAILING 1h 1m TLS_EXPIRED/);
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    vi.setSystemTime(at(24 * 60 + 2));
    await probeAll();
    await sweep(deps());
    const daily = (await sent()).map((m) => m.subject);
    expect(daily).toContain(
      'STILL WARNING 1d CERT_EXPIRING in 9 days: registry.internal.example.com:5000 (1 target)',
    );
  });

  it('a deleted repository is an image problem: its own incident, even while its registry serves other targets', async () => {
    for (const region of REGIONS) {
      await probe(region, { 'ghcr-app': failing('ghcr-app', 'NAME_UNKNOWN') });
    }
    await handleAlarmBatch([failingAlarm('ghcr-app', 'ALARM', 1)], deps());

    const [m] = await sent();
    expectWithinLimits(m as Sent);
    saveExample('deleted-repository', m as Sent);
    expect(m?.subject).toBe('FAILING NAME_UNKNOWN in all 3 regions: ghcr.io: ghcr-app');
    expect(m?.alert.cause).toBe('target');
    expect(m?.email).toContain('Image problem: only ghcr-app fails');
  });

  it('a regional network fault across registries is one incident with the region’s first steps, re-grouped without a second page', async () => {
    const only = (target: string) => {
      return { ok: result(target), bad: failing(target, 'TIMEOUT') };
    };
    const targets = ['hub-alpine', 'ghcr-app', 'quay-tool'];
    await probe('eu-west-1', Object.fromEntries(targets.map((t) => [t, only(t).bad])));
    for (const region of ['ap-southeast-1', 'us-east-1'])
      await probe(region, Object.fromEntries(targets.map((t) => [t, only(t).ok])));

    // The first batch sees only Docker Hub: a registry incident, paged.
    vi.setSystemTime(at(2));
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 1)], deps());
    // Seconds later the other registries: the picture is a regional fault.
    vi.setSystemTime(new Date(at(2).getTime() + 5_000));
    await handleAlarmBatch(
      [failingAlarm('ghcr-app', 'ALARM', 1), failingAlarm('quay-tool', 'ALARM', 1)],
      deps(),
    );
    expect(await sent()).toHaveLength(1);
    // After the hold-back, one update in the same thread says it was re-grouped.
    vi.setSystemTime(at(5));
    await sweep(deps());

    const [opened, update, ...rest] = await sent();
    expect(rest).toHaveLength(0);
    expect(opened?.subject).toBe('FAILING TIMEOUT in eu-west-1: registry-1.docker.io (1 target)');
    saveExample('regional-fault-regrouped', update as Sent);
    expect(update?.subject).toBe('UPDATE FAILING TIMEOUT only from eu-west-1: 3 registries (3 targets)');
    expect(update?.attributes['event']).toBe('updated');
    expect(update?.chatbot.metadata.threadId).toBe(opened?.chatbot.metadata.threadId);
    expect(update?.alert.changes?.regroupedFrom).toBe(
      'Registry fault: registry-1.docker.io fails for its targets; other registries are fine.',
    );
    expect(update?.alert.changes?.joined).toEqual(['ghcr-app', 'quay-tool']);
    expect(update?.email).toContain(
      "Regional fault: every failing registry fails only from eu-west-1; suspect that region's probe network",
    );
    expect(update?.email).toContain(
      '1. Check the NAT gateway and route tables of the probe VPC in eu-west-1',
    );
    expect(update?.chatbot.content.nextSteps?.[0]).toContain('NAT gateway');
    expectWithinLimits(update as Sent);
    const board = await getBoard(h.db, h.table);
    expect(board.incidents.filter((i) => i.open).map((i) => i.key)).toEqual(['region:eu-west-1']);
  });

  it('a probe that stopped is one alert for its region, with since when and what to check first', async () => {
    const targets = ['hub-alpine', 'ghcr-app', 'quay-tool'];
    for (const region of REGIONS) await probe(region, Object.fromEntries(targets.map((t) => [t, result(t)])));
    // eu-west-1 goes quiet; the others keep writing.
    vi.setSystemTime(at(45));
    for (const region of ['ap-southeast-1', 'us-east-1'])
      await probe(region, Object.fromEntries(targets.map((t) => [t, result(t)])));
    const batch = [
      alarm('ProbeSilent', 'eu-west-1', 'ALARM', 44),
      ...targets.map((t) => alarm('TargetSilent', t, 'ALARM', 44, t)),
    ];

    await handleAlarmBatch(batch, deps());

    const messages = await sent();
    expect(messages).toHaveLength(1);
    const m = messages[0] as Sent;
    saveExample('probe-stopped', m);
    expectWithinLimits(m);
    expect(m.subject).toBe('PROBE STOPPED in eu-west-1: no results since 2026-11-22 10:00 UTC');
    expect(m.attributes['cause']).toBe('probe');
    expect(m.attributes['region']).toBe('["eu-west-1"]');
    expect(m.chatbot.content.keywords).toContain('eu-west-1');
    expect(m.alert.probe?.silentTargets).toEqual(['ghcr-app', 'hub-alpine', 'quay-tool']);
    expect(m.alert.links.runbook).toBe('https://example.com/runbooks/PROBE_DLQ.md');
    expect(m.email).toContain("1. Read the probe's dead-letter queue in eu-west-1");
    expect(m.email).toContain('2. Read the log group /registry-canary/probe in eu-west-1');
    expect(m.email).toContain('3. Check its EventBridge Scheduler schedules in eu-west-1');
    expect(m.email).toContain(
      'Log group:          https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fregistry-canary$252Fprobe',
    );
    expect(m.email).not.toContain('healthy in all');
  });

  it('a recovery after 47 minutes: one info message that says what recovered, from which cause, and how long it lasted', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    vi.setSystemTime(at(48));
    for (const region of REGIONS) await probe(region, { 'hub-alpine': result('hub-alpine') });

    await handleAlarmBatch([failingAlarm('hub-alpine', 'OK', 47)], deps());

    const [, recovered] = await sent();
    expectWithinLimits(recovered as Sent);
    saveExample('recovery', recovered as Sent);
    expect(recovered?.subject).toBe(
      'RESOLVED after 47m REGISTRY_UNAVAILABLE in all 3 regions: registry-1.docker.io (1 target)',
    );
    expect(recovered?.attributes['severity']).toBe('info');
    expect(recovered?.alert.headline).toBe(
      '1 target recovered (hub-alpine) from REGISTRY_UNAVAILABLE; it lasted 47m.',
    );
    expect(recovered?.chatbot.content.title.startsWith(':white_check_mark: ')).toBe(true);
    expect(recovered?.email).toContain('Lasted:     47m');
  });

  it('reminds a critical incident with backoff: after 1h, then 2h later, never twice for one due time', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    const times: Record<number, number> = { 59: 0, 60: 1, 61: 0, 179: 0, 180: 1, 181: 0 };
    for (const [minute, expected] of Object.entries(times)) {
      vi.setSystemTime(at(Number(minute)));
      expect((await sweep(deps())).reminders, `minute ${minute}`).toBe(expected);
    }
    const reminders = (await sent()).filter((m) => m.alert.event === 'reminder');
    expect(reminders.map((m) => m.subject)).toEqual([
      'STILL FAILING 1h REGISTRY_UNAVAILABLE in all 3 regions: registry-1.docker.io (1 target)',
      'STILL FAILING 3h REGISTRY_UNAVAILABLE in all 3 regions: registry-1.docker.io (1 target)',
    ]);
    expect(reminders[0]?.email).toContain('Reminder:   1 of at most 8; next 2026-11-22 13:00 UTC');
    saveExample('reminder', reminders[0] as Sent);
    expectWithinLimits(reminders[1] as Sent);
  });

  it('a burst of 60 targets failing and recovering, split across batches: one opening, one update, one recovery, all within limits', async () => {
    const targets = Array.from({ length: 60 }, (_, i) => `hub-image-${String(i).padStart(2, '0')}`);
    for (const region of REGIONS) {
      await probe(region, Object.fromEntries(targets.map((t) => [t, failing(t, 'REGISTRY_UNAVAILABLE')])));
    }
    const raise = targets.flatMap((t) => [
      failingAlarm(t, 'ALARM', 1),
      alarm('FailingInManyRegions', t, 'ALARM', 1, t),
    ]);
    vi.setSystemTime(at(2));
    await handleAlarmBatch(raise.slice(0, 100), deps());
    vi.setSystemTime(new Date(at(2).getTime() + 5_000));
    await handleAlarmBatch(raise.slice(100), deps());
    vi.setSystemTime(at(5));
    await sweep(deps());

    // Recovery: the probes see it first; the OKs arrive in two batches seconds apart.
    vi.setSystemTime(at(30));
    for (const region of REGIONS) await probe(region, Object.fromEntries(targets.map((t) => [t, result(t)])));
    const clear = targets.flatMap((t) => [
      failingAlarm(t, 'OK', 30),
      alarm('FailingInManyRegions', t, 'OK', 30, t),
    ]);
    vi.setSystemTime(at(31));
    await handleAlarmBatch(clear.slice(0, 100), deps());
    // Between the two recovery batches nothing is sent: no "update" naming healthy targets as failing.
    expect((await sent()).map((m) => m.alert.event)).toEqual(['opened', 'updated']);
    vi.setSystemTime(new Date(at(31).getTime() + 5_000));
    await handleAlarmBatch(clear.slice(100), deps());
    await sweep(deps());

    const messages = await sent();
    expect(messages.map((m) => m.alert.event)).toEqual(['opened', 'updated', 'recovered']);
    for (const m of messages) expectWithinLimits(m);
    const [opened, update, recovered] = messages as [Sent, Sent, Sent];
    saveExample('burst-update', update);
    expect(opened.alert.failingCount).toBe(50);
    expect(update.alert.changes?.joined).toHaveLength(10);
    expect(update.subject).toBe(
      'UPDATE FAILING REGISTRY_UNAVAILABLE in all 3 regions: registry-1.docker.io (60 targets)',
    );
    expect(recovered.alert.recovered).toHaveLength(60);
    expect(recovered.subject).toBe(
      'RESOLVED after 29m REGISTRY_UNAVAILABLE in all 3 regions: registry-1.docker.io (60 targets)',
    );
    // Sixty targets with one diagnosis are one group: one Slack section, not sixty.
    expect(update.slack.blocks.filter((b) => b.type === 'divider')).toHaveLength(1);
  });

  it('a burst of 60 targets with 60 different diagnoses still fits every channel, naming what it leaves out', async () => {
    const codes: DiagnosisCode[] = [
      'TIMEOUT',
      'DNS_FAILURE',
      'TLS_ERROR',
      'PROXY_ERROR',
      'DENIED',
      'AUTH_FAILED',
    ];
    const targets = Array.from({ length: 60 }, (_, i) => `hub-image-${String(i).padStart(2, '0')}`);
    for (const region of REGIONS) {
      await probe(
        region,
        Object.fromEntries(
          targets.map((t, i) => [
            t,
            failing(t, codes[i % codes.length] as DiagnosisCode, {
              diagnosis: {
                code: codes[i % codes.length] as DiagnosisCode,
                summary: `distinct summary ${i} ${'x'.repeat(400)}`,
                evidence: Array.from({ length: 12 }, (_, j) => `evidence ${j} ${'y'.repeat(480)}`),
                nextSteps: [`step for ${t} ${'z'.repeat(400)}`],
                runbook: 'https://example.com/runbooks/TIMEOUT.md',
              },
            }),
          ]),
        ),
      );
    }
    await handleAlarmBatch(
      targets.map((t) => failingAlarm(t, 'ALARM', 1)),
      deps(),
    );

    const [m] = await sent();
    expectWithinLimits(m as Sent);
    const shown = m?.alert.groups.reduce((n, g) => n + g.targets.length, 0) ?? 0;
    expect(shown + (m?.alert.omitted ?? 0)).toBe(60);
    expect(m?.slack.blocks.some((b) => /\+\d+ more/.test((b['text'] as { text?: string })?.text ?? ''))).toBe(
      true,
    );
  });

  it('a target one running region sent nothing for is a warning that says so, not a page', async () => {
    await probe('ap-southeast-1', { 'ghcr-app': result('ghcr-app') });
    await probe('eu-west-1', { 'ghcr-app': result('ghcr-app') });
    vi.setSystemTime(at(45));
    // us-east-1 runs (other targets) but wrote nothing for ghcr-app; the other two regions did.
    await probe('ap-southeast-1', { 'ghcr-app': result('ghcr-app') });
    await probe('eu-west-1', { 'ghcr-app': result('ghcr-app') });

    await handleAlarmBatch([alarm('TargetSilent', 'ghcr-app', 'ALARM', 44, 'ghcr-app')], deps());

    const [m] = await sent();
    expectWithinLimits(m as Sent);
    expect(m?.subject).toBe('WARNING NO_RECENT_RESULT in us-east-1: ghcr.io (1 target)');
    expect(m?.attributes['severity']).toBe('warning');
    expect(m?.alert.links.runbook).toBe('https://example.com/runbooks/PROBE_DLQ.md');
  });
});
