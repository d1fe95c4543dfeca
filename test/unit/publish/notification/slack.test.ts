import { describe, expect, it } from 'vitest';
import { parseAlarmMessage } from '../../../../functions/publish/notification/alarm-event.ts';
import { renderCloudWatchAlarm, renderSlack } from '../../../../functions/publish/notification/slack.ts';
import { alarmMessage } from './alarm-fixtures.ts';
import { alert, targetAlert } from './alert-fixtures.ts';

describe('renderSlack', () => {
  it('stays within 50 blocks and says how many targets it left out', () => {
    const failing = Array.from({ length: 60 }, (_, i) => targetAlert(`t${i}`));
    const message = renderSlack(alert(failing, { omitted: 5 }));
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const shown = message.blocks.filter((b) => b.type === 'divider').length;
    const more = message.blocks.find((b) => JSON.stringify(b).includes('more'));
    expect(JSON.stringify(more)).toContain(`+${60 - shown + 5} more`);
  });

  it('clips the header to 150 characters and escapes registry text so it cannot mention or link', () => {
    const message = renderSlack(
      alert([targetAlert('a', { summary: '<!channel> see <https://evil.example|here> & more' })], {
        title: 'x'.repeat(400),
      }),
    );
    const header = message.blocks[0] as unknown as { text: { text: string } };
    expect(header.text.text.length).toBe(150);
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('&lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; more');
    expect(body).not.toContain('<!channel>');
  });

  it('shows the recovery with its duration', () => {
    const message = renderSlack(
      alert([], {
        kind: 'recovered',
        status: 'OK',
        title: 'OK registry-1.docker.io: recovered after 1h 12m',
        durationMs: 72 * 60_000,
        recovered: [targetAlert('a', { condition: 'recovered' })],
      }),
    );
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('*Lasted* 1h 12m');
    expect(text).toContain('*Recovered:* a');
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
