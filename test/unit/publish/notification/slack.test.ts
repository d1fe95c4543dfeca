import { describe, expect, it } from 'vitest';
import { parseAlarmMessage } from '../../../../functions/publish/notification/alarm-event.ts';
import { renderCloudWatchAlarm, renderSlack } from '../../../../functions/publish/notification/slack.ts';
import { alarmMessage } from './alarm-fixtures.ts';
import { alert, distinctTargets, targetAlert } from './alert-fixtures.ts';

describe('renderSlack', () => {
  it('stays within 50 blocks and says how many targets it left out', () => {
    const message = renderSlack(alert(distinctTargets(60), { omitted: 5 }));
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const shown = message.blocks.filter((b) => b.type === 'divider').length;
    const more = message.blocks.find((b) => JSON.stringify(b).includes('more'));
    expect(JSON.stringify(more)).toContain(`+${60 - shown + 5} more`);
  });

  it('shows targets with the same diagnosis once, as a group', () => {
    const message = renderSlack(alert([targetAlert('a'), targetAlert('b'), targetAlert('c')]));
    expect(message.blocks.filter((b) => b.type === 'divider')).toHaveLength(1);
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('*3 targets:* a, b, c');
    expect(body.match(/Diagnosis:\*/g)).toHaveLength(1);
  });

  it('clips the header to 150 characters and escapes registry text so it cannot mention or link', () => {
    const message = renderSlack(
      alert([targetAlert('a', { summary: '<!channel> see <https://evil.example|here> & more' })], {
        title: 'x'.repeat(400),
      }),
    );
    const header = message.blocks[0] as unknown as { text: { text: string } };
    // Slack: a header's plain_text is at most 150 characters (docs.slack.dev/reference/block-kit/blocks/header-block).
    expect(header.text.text.length).toBe(150);
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('&lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; more');
    expect(body).not.toContain('<!channel>');
  });

  it('shows the recovery with its duration and in the info look', () => {
    const message = renderSlack(
      alert([], {
        event: 'recovered',
        status: 'OK',
        messageSeverity: 'info',
        title: 'RESOLVED after 1h 12m RATE_LIMITED in all 2 regions: registry-1.docker.io (1 target)',
        durationMs: 72 * 60_000,
        recovered: ['a'],
      }),
    );
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('*Lasted* 1h 12m');
    expect(text).toContain('*Recovered:* a');
    expect(text).toContain(':white_check_mark:');
    expect(message.text.startsWith('INFO: ')).toBe(true);
  });

  it('never says "thread": an incoming webhook returns no ts to thread on', () => {
    const message = renderSlack(alert([targetAlert('a')]));
    expect(JSON.stringify(message)).not.toMatch(/thread/i);
  });

  it('says what changed in an update', () => {
    const message = renderSlack(
      alert([targetAlert('a')], {
        event: 'updated',
        changes: {
          joined: ['b'],
          recovered: ['c'],
          moved: [],
          codeFrom: 'TIMEOUT',
          codeTo: 'RATE_LIMITED',
          regionsAdded: ['us-east-1'],
          regionsCleared: [],
          regroupedFrom: null,
          absorbed: [],
        },
      }),
    );
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('Joined (1): b');
    expect(body).toContain('Recovered (1): c');
    expect(body).toContain('Diagnosis: `TIMEOUT` → `RATE_LIMITED`');
    expect(body).toContain('Now also failing in: us-east-1');
  });
});

describe('renderCloudWatchAlarm', () => {
  const now = new Date('2026-11-22T10:05:00.000Z');
  const render = (fixture: Parameters<typeof alarmMessage>[0]) =>
    renderCloudWatchAlarm(parseAlarmMessage('', alarmMessage(fixture), now));

  it('says OK with its own emoji when the alarm clears', () => {
    const message = render({ alarmName: 'dlq', state: 'OK', at: now.toISOString(), description: 'DLQ' });
    expect(message.text).toBe('OK: dlq');
    expect(JSON.stringify(message.blocks[1])).toContain(':white_check_mark: DLQ');
  });

  it('escapes the description and links only an https runbook', () => {
    const message = render({
      alarmName: 'dlq',
      state: 'ALARM',
      at: now.toISOString(),
      description: '<!channel> & co. Runbook: http://insecure.example/x.md',
    });
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('&lt;!channel&gt; &amp; co.');
    expect(body).not.toContain('|Runbook>');
  });
});
