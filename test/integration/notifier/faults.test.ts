/**
 * The notifier's fault paths end to end (harness.ts): racing pollers, held-back news, late and
 * out-of-order alarm changes, failed publishes and their retries, a recovery racing a reminder,
 * unreadable messages, and alarms that name no target. Each test names the one behaviour it pins.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import { alarmName } from '../../../functions/publish/alarm-catalog.ts';
import { handleAlarmBatch, sweep } from '../../../functions/publish/notification/notifier.ts';
import { createStateClient } from '../../../functions/publish/state-client.ts';
import { getBoard } from '../../../functions/publish/state-incident.ts';
import { alarmRecord } from '../../unit/publish/notification/alarm-fixtures.ts';
import {
  alarm,
  at,
  deps,
  failing,
  failingAlarm,
  h,
  iso,
  logs,
  probe,
  REGIONS,
  result,
  saveExample,
  sent,
  sns,
  TOPICS,
  useNotifierHarness,
} from './harness.ts';

useNotifierHarness();

const hub = ['hub-alpine', 'hub-nginx', 'hub-redis'];

async function hubFailing(code: Parameters<typeof failing>[1] = 'REGISTRY_UNAVAILABLE') {
  for (const region of REGIONS)
    await probe(region, Object.fromEntries(hub.map((t) => [t, failing(t, code)])));
}

describe('notifier faults', () => {
  it('lets only one of two pollers racing on one incident send the opening', async () => {
    await hubFailing();

    const responses = await Promise.all([
      handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps()),
      handleAlarmBatch(
        [failingAlarm('hub-nginx', 'ALARM', 0), failingAlarm('hub-redis', 'ALARM', 0)],
        deps(),
      ),
    ]);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect((await sent()).map((m) => m.alert.event)).toEqual(['opened']);
    const board = await getBoard(h.db, h.table);
    expect(board.incidents).toHaveLength(1);
    expect(board.incidents[0]?.members).toEqual(['hub-alpine', 'hub-nginx', 'hub-redis']);
  });

  it('sends held-back news with the next batch after the window, without waiting for the sweep', async () => {
    await hubFailing();
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    vi.setSystemTime(new Date(at(0).getTime() + 10_000));
    await handleAlarmBatch([failingAlarm('hub-nginx', 'ALARM', 0)], deps());
    expect(await sent()).toHaveLength(1);
    vi.setSystemTime(at(3));

    await handleAlarmBatch([failingAlarm('hub-redis', 'ALARM', 3)], deps());

    const [, update] = await sent();
    expect(update?.alert.event).toBe('updated');
    // One update for both the held-back target and this batch's.
    expect(update?.alert.changes?.joined).toEqual(['hub-nginx', 'hub-redis']);
    expect(update?.email).toContain('+ joined (2): hub-nginx, hub-redis');
  });

  it('says nothing when one of a target’s two alarms clears while it still fails', async () => {
    await hubFailing();
    await handleAlarmBatch(
      [
        failingAlarm('hub-alpine', 'ALARM', 0),
        alarm('FailingInManyRegions', 'hub-alpine', 'ALARM', 0, 'hub-alpine'),
      ],
      deps(),
    );
    vi.setSystemTime(at(20));

    await handleAlarmBatch([alarm('FailingInManyRegions', 'hub-alpine', 'OK', 20, 'hub-alpine')], deps());
    await sweep(deps());

    expect((await sent()).map((m) => m.alert.event)).toEqual(['opened']);
  });

  it('says nothing about a target that joined and left again before the update was due', async () => {
    await hubFailing();
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    vi.setSystemTime(new Date(at(0).getTime() + 10_000));
    await handleAlarmBatch([failingAlarm('hub-nginx', 'ALARM', 0)], deps());
    vi.setSystemTime(new Date(at(0).getTime() + 20_000));
    await handleAlarmBatch([failingAlarm('hub-nginx', 'OK', 0.3)], deps());
    vi.setSystemTime(at(5));

    await sweep(deps());

    expect((await sent()).map((m) => m.alert.event)).toEqual(['opened']);
    expect((await getBoard(h.db, h.table)).incidents[0]?.pending).toBeNull();
  });

  it('drops an OK older than the ALARM it would clear, and an ALARM older than the OK that cleared it', async () => {
    await hubFailing();
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 10)], deps());
    // A retry of an older batch: the OK from before this ALARM.
    await handleAlarmBatch([failingAlarm('hub-alpine', 'OK', 5)], deps());
    expect(Object.keys((await getBoard(h.db, h.table)).alarms)).toEqual([
      alarmName('FailingInAnyRegion', 'hub-alpine'),
    ]);
    vi.setSystemTime(at(30));
    await handleAlarmBatch([failingAlarm('hub-alpine', 'OK', 30)], deps());
    // And a late ALARM from before that OK.
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 20)], deps());

    expect((await sent()).map((m) => m.alert.event)).toEqual(['opened', 'recovered']);
    expect((await getBoard(h.db, h.table)).alarms).toEqual({});
  });

  it('reports the batch items whose alert could not be published, and sends it on the retry', async () => {
    await hubFailing();
    sns.on(PublishCommand).rejects(new Error('SNS is down'));
    const record = failingAlarm('hub-alpine', 'ALARM', 0);

    const first = await handleAlarmBatch([record], deps());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    // The claim was written before the publish; the failed publish put the opening back.
    expect((await getBoard(h.db, h.table)).incidents[0]).toMatchObject({
      told: null,
      pending: { event: 'opened' },
    });

    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const retry = await handleAlarmBatch([record], deps());
    expect(retry.batchItemFailures).toEqual([]);
    // The failed attempt tried every topic, then the retry sent to every one.
    const events = sns
      .commandCalls(PublishCommand)
      .filter((c) => c.args[0].input.TopicArn === TOPICS.payload)
      .map((c) => JSON.parse(c.args[0].input.Message ?? '').alert.event);
    expect(events).toEqual(['opened', 'opened']);
    expect((await getBoard(h.db, h.table)).incidents[0]?.pending).toBeNull();
  });

  it('says nothing about a target whose alarm went to ALARM and back to OK within one batch', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    vi.setSystemTime(at(3));

    const response = await handleAlarmBatch(
      [failingAlarm('hub-alpine', 'ALARM', 1), failingAlarm('hub-alpine', 'OK', 2)],
      deps(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(await sent()).toEqual([]);
    expect((await getBoard(h.db, h.table)).incidents).toEqual([]);
  });

  it('sends no recovery for an opening nobody heard: its publish failed, and the retried batch brings the OK too', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    sns.on(PublishCommand).rejects(new Error('SNS is down'));
    const opening = failingAlarm('hub-alpine', 'ALARM', 1);
    expect((await handleAlarmBatch([opening], deps())).batchItemFailures).toHaveLength(1);
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    vi.setSystemTime(at(5));
    for (const region of REGIONS) await probe(region, { 'hub-alpine': result('hub-alpine') });

    // SQS redelivers the ALARM in the same batch as the OK that followed it.
    const retry = await handleAlarmBatch([opening, failingAlarm('hub-alpine', 'OK', 4)], deps());

    expect(retry.batchItemFailures).toEqual([]);
    // Before: "RESOLVED after 3m: registry-1.docker.io", "recovered ... from the failure" (no code).
    expect(await sent()).toEqual([]);
    expect((await getBoard(h.db, h.table)).incidents[0]).toMatchObject({ open: false, pending: null });
    // And the sweep does not resurrect the opening.
    await sweep(deps());
    expect(await sent()).toEqual([]);
  });

  it('keeps what an opening told when only some topics took it: its recovery names the code and the cause', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });
    sns.on(PublishCommand, { TopicArn: TOPICS.chat }).rejects(new Error('throttled'));
    const opening = failingAlarm('hub-alpine', 'ALARM', 1);

    const first = await handleAlarmBatch([opening], deps());

    expect(first.batchItemFailures).toHaveLength(1);
    expect(logs.some((l) => l.includes('"failedTopics":["chat"]'))).toBe(true);
    // Email, SMS, HTTPS and the Lambda subscribers heard it: the incident keeps what it told, and
    // the news is pending again for every topic.
    expect((await getBoard(h.db, h.table)).incidents[0]).toMatchObject({
      told: { code: 'REGISTRY_UNAVAILABLE' },
      pending: { event: 'opened' },
    });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    vi.setSystemTime(at(5));
    for (const region of REGIONS) await probe(region, { 'hub-alpine': result('hub-alpine') });

    await handleAlarmBatch([opening, failingAlarm('hub-alpine', 'OK', 4)], deps());

    const [recovery, ...rest] = await sent();
    expect(rest).toEqual([]);
    expect(recovery?.alert.event).toBe('recovered');
    expect(recovery?.alert.headline).toBe(
      '1 target recovered (hub-alpine) from REGISTRY_UNAVAILABLE; it lasted 3m.',
    );
    expect(recovery?.subject).toMatch(/^RESOLVED after 3m REGISTRY_UNAVAILABLE /);
  });

  it('fails the sweep when a reminder cannot be published, and sends it once on the retry', async () => {
    await hubFailing();
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    vi.setSystemTime(at(61));
    sns.on(PublishCommand).rejects(new Error('SNS is down'));

    await expect(sweep(deps())).rejects.toThrow(/1 of 1 alerts could not be published/);
    expect((await getBoard(h.db, h.table)).incidents[0]).toMatchObject({
      lastRemindedAt: null,
      reminders: 0,
    });

    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 1 });
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 0 });
  });

  it('counts a reminder some topics took as sent: the sweep fails, its retry sends no second reminder', async () => {
    await hubFailing();
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    vi.setSystemTime(at(61));
    sns.on(PublishCommand, { TopicArn: TOPICS.sms }).rejects(new Error('throttled'));

    await expect(sweep(deps())).rejects.toThrow(/1 of 1 alerts could not be published/);
    expect((await getBoard(h.db, h.table)).incidents[0]).toMatchObject({ reminders: 1, pending: null });

    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    expect(await sweep(deps())).toEqual({ updates: 0, reminders: 0 });
  });

  it('sends no reminder for an incident that recovered between the sweep reading the board and claiming it', async () => {
    await hubFailing();
    await handleAlarmBatch([failingAlarm('hub-alpine', 'ALARM', 0)], deps());
    vi.setSystemTime(at(61));
    for (const region of REGIONS) await probe(region, { 'hub-alpine': result('hub-alpine') });
    // The sweep gets its own client, so the recovery can be slipped in right before its first write.
    const sweepDb = createStateClient({ region: 'eu-west-1', endpoint: h.endpoint });
    let raced = false;
    sweepDb.middlewareStack.add(
      (next, context) => async (args) => {
        if (!raced && context.commandName === 'PutItemCommand') {
          raced = true;
          await handleAlarmBatch([failingAlarm('hub-alpine', 'OK', 61)], deps());
        }
        return next(args);
      },
      { step: 'initialize', name: 'recoverBeforeTheClaim' },
    );

    const result_ = await sweep({ ...deps(), db: sweepDb });
    sweepDb.destroy();

    expect(raced).toBe(true);
    expect(result_).toEqual({ updates: 0, reminders: 0 });
    expect((await sent()).map((m) => m.alert.event)).toEqual(['opened', 'recovered']);
  });

  it('sends an unreadable message to the dead-letter path instead of dropping it silently', async () => {
    const bad = { ...failingAlarm('hub-alpine', 'ALARM', 0), body: 'not json' };
    const response = await handleAlarmBatch([bad], deps());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(logs.some((l) => l.startsWith('error unreadable alarm message'))).toBe(true);
  });

  it('groups a target with no state row yet under the registry the synth named for it', async () => {
    for (const region of REGIONS)
      await probe(region, { 'hub-alpine': failing('hub-alpine', 'REGISTRY_UNAVAILABLE') });

    // hub-nginx was just added: its probes have not reached the table, so only the synth's map knows its registry.
    await handleAlarmBatch(
      [failingAlarm('hub-alpine', 'ALARM', 1), failingAlarm('hub-nginx', 'ALARM', 1)],
      deps(),
    );

    const [m] = await sent();
    expect(m?.alert.cause).toBe('registry');
    expect(m?.alert.failingCount).toBe(2);
    expect(m?.email).toContain('- hub-nginx');
  });

  it('still alerts on an alarm the canary did not make, under its own name, with its description', async () => {
    await handleAlarmBatch(
      [
        alarmRecord({
          alarmName: 'team-made-alarm',
          state: 'ALARM',
          at: iso(0),
          description: 'Somebody added this alarm to the topic by hand.',
        }),
      ],
      deps(),
    );
    const [m] = await sent();
    expect(m?.subject).toBe('ALARM: team-made-alarm');
    expect(m?.alert.firstSteps[0]).toBe('Somebody added this alarm to the topic by hand.');
    expect(m?.attributes['severity']).toBe('critical');
  });
});

describe('re-grouping', () => {
  it('closes an incident whose targets all moved into a regional fault as MERGED, an info message in its own thread', async () => {
    // Docker Hub fails from eu-west-1 only; ghcr.io fails everywhere: two registry incidents.
    await probe('eu-west-1', {
      'hub-alpine': failing('hub-alpine', 'TIMEOUT'),
      'ghcr-app': failing('ghcr-app', 'TIMEOUT'),
    });
    for (const region of ['ap-southeast-1', 'us-east-1']) {
      await probe(region, { 'hub-alpine': result('hub-alpine'), 'ghcr-app': failing('ghcr-app', 'TIMEOUT') });
    }
    await handleAlarmBatch(
      [failingAlarm('hub-alpine', 'ALARM', 0), failingAlarm('ghcr-app', 'ALARM', 0)],
      deps(),
    );
    expect((await sent()).map((m) => m.subject).sort()).toEqual([
      'FAILING TIMEOUT in all 3 regions: ghcr.io (1 target)',
      'FAILING TIMEOUT in eu-west-1: registry-1.docker.io (1 target)',
    ]);
    // ghcr.io recovers outside eu-west-1: now two registries fail only from there.
    vi.setSystemTime(at(10));
    for (const region of ['ap-southeast-1', 'us-east-1'])
      await probe(region, { 'ghcr-app': result('ghcr-app') });
    await probe('eu-west-1', {
      'hub-alpine': failing('hub-alpine', 'TIMEOUT'),
      'ghcr-app': failing('ghcr-app', 'TIMEOUT'),
    });

    await sweep(deps());

    const messages = await sent();
    const merged = messages.find((m) => m.alert.event === 'merged');
    const update = messages.find((m) => m.alert.event === 'updated');
    if (merged) saveExample('merged', merged);
    expect(merged?.attributes['severity']).toBe('info');
    expect(merged?.subject).toMatch(
      /^MERGED TIMEOUT in (all 3 regions|eu-west-1): (ghcr\.io|registry-1\.docker\.io)$/,
    );
    expect(merged?.alert.headline).toBe(
      "Merged into: Regional fault: every failing registry fails only from eu-west-1; suspect that region's probe network, not the registries. Follow that one; this thread is closed.",
    );
    expect(update?.subject).toBe('UPDATE FAILING TIMEOUT only from eu-west-1: 2 registries (2 targets)');
    expect(update?.alert.changes?.absorbed.length).toBe(1);
    // No new opening: nobody is paged again for targets they were paged about.
    expect(messages.filter((m) => m.alert.event === 'opened')).toHaveLength(2);
    const pagedIds = messages.filter((m) => m.alert.event === 'opened').map((m) => m.alert.incidentId);
    expect(pagedIds).toContain(update?.alert.incidentId);
  });
});
