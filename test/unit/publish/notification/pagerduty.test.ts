import { describe, expect, it } from 'vitest';
import {
  dedupKeyOf,
  MAX_DEDUP_KEY_CHARS,
  MAX_SUMMARY_CHARS,
  pagerDutyEventOf,
  parseRoutingKey,
} from '../../../../functions/publish/notification/pagerduty.ts';
import { alert, targetAlert } from './alert-fixtures.ts';

const KEY = 'a'.repeat(32);

describe('PagerDuty events', () => {
  it('keys every event of an incident by its id, hashed to fit 255 characters when longer', () => {
    expect(dedupKeyOf('registry-canary/registry:ghcr.io/2026-11-22T10:00:00.000Z')).toBe(
      'registry-canary/registry:ghcr.io/2026-11-22T10:00:00.000Z',
    );
    const long = `registry-canary/registry:${'h'.repeat(300)}/2026`;
    const key = dedupKeyOf(long);
    expect(key.length).toBe(MAX_DEDUP_KEY_CHARS);
    expect(dedupKeyOf(`${long}x`)).not.toBe(key);
  });

  it('resolves on a recovery or a merge, with only the key and the action', () => {
    for (const event of ['recovered', 'merged'] as const) {
      expect(pagerDutyEventOf(alert([], { event, status: 'OK', messageSeverity: 'info' }))).toEqual({
        event_action: 'resolve',
        dedup_key: 'registry-canary/registry:registry-1.docker.io/2026-11-22T10:00:00.000Z',
      });
    }
  });

  it('maps our severities to PagerDuty’s and clips the summary to 1024 characters', () => {
    const event = pagerDutyEventOf(alert([targetAlert('a')], { title: 'x'.repeat(2_000) }));
    expect(event?.payload?.severity).toBe('critical');
    expect(event?.payload?.summary.length).toBe(MAX_SUMMARY_CHARS);
    const warning = pagerDutyEventOf(
      alert([targetAlert('a')], { severity: 'warning', messageSeverity: 'warning' }),
      ['critical', 'warning'],
    );
    expect(warning?.payload?.severity).toBe('warning');
    expect(pagerDutyEventOf(alert([targetAlert('a')], { severity: 'warning' }))).toBeNull();
  });

  it('reads the routing key bare or from JSON, and refuses anything but 32 characters without echoing it', () => {
    expect(parseRoutingKey(` ${KEY}\n`)).toBe(KEY);
    expect(parseRoutingKey(JSON.stringify({ routingKey: KEY }))).toBe(KEY);
    const error = (() => {
      try {
        parseRoutingKey('short-secret-value');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toBe(
      'PagerDuty Events API request failed: the secret does not hold a 32-character integration key',
    );
    expect(error?.message).not.toContain('short-secret-value');
  });
});
