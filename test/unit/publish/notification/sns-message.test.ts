import { describe, expect, it } from 'vitest';
import {
  composeSnsMessage,
  MAX_ALARM_ARNS,
  messageAttributesOf,
  publishedBytes,
  SNS_MESSAGE_BUDGET_BYTES,
  SnsMessageTooLargeError,
} from '../../../../functions/publish/notification/sns-message.ts';
import { alert, targetAlert } from './alert-fixtures.ts';

/** A target whose evidence is as long as the state table lets it be (12 lines of 500 characters), with a diagnosis of its own. */
function bulky(i: number) {
  return targetAlert(`image-${String(i).padStart(3, '0')}`, {
    summary: `diagnosis ${i}`,
    evidence: Array.from({ length: 12 }, (_, line) => `${line}: ${'x'.repeat(490)}`),
  });
}

const shownTargets = (a: { groups: { targets: unknown[] }[] }) =>
  a.groups.reduce((n, g) => n + g.targets.length, 0);

describe('composeSnsMessage', () => {
  it('keeps every target when the message fits', () => {
    const composed = composeSnsMessage(alert([targetAlert('a'), targetAlert('b')]));
    expect(composed.alert.omitted).toBe(0);
    expect(JSON.parse(composed.message)).toEqual({
      default: expect.any(String),
      email: expect.any(String),
      sms: expect.any(String),
      https: expect.any(String),
      lambda: expect.any(String),
    });
  });

  it('trims a burst too large for SNS with a "+N more" line instead of dropping the message', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const composed = composeSnsMessage(alert(failing));

    expect(Buffer.byteLength(composed.message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    const { omitted } = composed.alert;
    expect(omitted).toBeGreaterThan(0);
    expect(shownTargets(composed.alert) + omitted).toBe(300);
    const message = JSON.parse(composed.message) as Record<string, string>;
    const chatbot = JSON.parse(message['default']!);
    expect(chatbot.content.description).toContain(`+${omitted} more`);
    expect(chatbot.metadata.additionalContext.failingTargets).toBe('300');
    expect(message['email']).toContain(`+${omitted} more`);
    expect(message['email']).toContain('FAILING (300)');
    // The worst targets (first in the model's order) are the ones kept.
    expect(composed.alert.groups[0]?.targets[0]?.target).toBe('image-000');
  });

  it('keeps as many targets as fit, not fewer', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const composed = composeSnsMessage(alert(failing), 100_000);
    const oneMore = composeSnsMessage(alert(failing.slice(0, shownTargets(composed.alert) + 1)), 10_000_000);
    expect(Buffer.byteLength(oneMore.message)).toBeGreaterThan(100_000);
  });

  it('keeps the email subject within SNS limits', () => {
    const composed = composeSnsMessage(
      alert([targetAlert('a')], { title: `ALARM ${'é'.repeat(200)}\nsecond line` }),
    );
    // SNS Publish API, Subject: "less than 100 characters long", no line breaks or control characters.
    expect(composed.subject.length).toBeLessThan(100);
    expect(composed.subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('keeps only the first alarm ARNs of a burst too large for SNS', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const alarmArns = failing.map(
      (t) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${t.target}-failing`,
    );
    const composed = composeSnsMessage(alert(failing, { alarmArns }));

    const chatbot = JSON.parse(JSON.parse(composed.message).default);
    expect(MAX_ALARM_ARNS).toBe(20);
    expect(chatbot.metadata.relatedResources).toEqual(alarmArns.slice(0, 20));
    expect(Buffer.byteLength(composed.message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
  });

  it('trims a recovery of thousands of targets with "+N more" after the names', () => {
    const recovered = Array.from(
      { length: 30_000 },
      (_, i) => `recovered-image-${String(i).padStart(5, '0')}`,
    );
    const composed = composeSnsMessage(alert([], { event: 'recovered', status: 'OK', recovered }));

    expect(Buffer.byteLength(composed.message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    const { recoveredOmitted } = composed.alert;
    expect(recoveredOmitted).toBeGreaterThan(0);
    expect(composed.alert.recovered.length + recoveredOmitted).toBe(30_000);
    const message = JSON.parse(composed.message) as Record<string, string>;
    expect(JSON.parse(message['default']!).content.description).toContain(`, +${recoveredOmitted} more`);
    expect(message['email']).toContain('RECOVERED (30000)');
    expect(message['email']).toContain(`, +${recoveredOmitted} more`);
    expect(composed.alert.recovered[0]).toBe('recovered-image-00000');
  });

  it('falls back to a minimal message, with counts and no targets, when the headline alone is too large', () => {
    const failing = [targetAlert('a'), targetAlert('b')];
    const composed = composeSnsMessage(alert(failing, { headline: 'x'.repeat(300_000) }));

    expect(Buffer.byteLength(composed.message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    expect(composed.alert).toMatchObject({ groups: [], omitted: 2, alarmArns: [] });
    expect(composed.alert.headline.length).toBeLessThanOrEqual(1_000);
    const message = JSON.parse(composed.message) as Record<string, string>;
    expect(message['email']).toContain('FAILING (2)');
    expect(message['email']).toContain('+2 more');
    expect(JSON.parse(message['lambda']!).alert.omitted).toBe(2);
  });

  it('throws instead of publishing when not even the minimal message fits', () => {
    expect(() => composeSnsMessage(alert([targetAlert('a')]), 500)).toThrow(SnsMessageTooLargeError);
  });

  it.each([5_000, 20_000, 60_000])('never returns a message over a budget of %i bytes', (budget) => {
    const failing = Array.from({ length: 40 }, (_, i) => bulky(i));
    const recovered = Array.from({ length: 4000 }, (_, i) => `recovered-${i}`);
    const composed = composeSnsMessage(alert(failing, { recovered }), budget);
    expect(publishedBytes(composed)).toBeLessThanOrEqual(budget);
    expect(shownTargets(composed.alert) + composed.alert.omitted).toBe(40);
    expect(composed.alert.recovered.length + composed.alert.recoveredOmitted).toBe(4000);
  });

  it('routes by severity, event, cause, owner, registry and region: at most 10 attributes, filterable types only', () => {
    const attributes = messageAttributesOf(alert([targetAlert('a')], { owners: ['payments', 'platform'] }));
    // SNS filter policies compare only String, String.Array and Number attributes; raw SQS delivery
    // takes at most 10 (docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html,
    // docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html).
    expect(Object.keys(attributes).length).toBeLessThanOrEqual(10);
    for (const value of Object.values(attributes))
      expect(['String', 'String.Array']).toContain(value.DataType);
    expect(attributes).toMatchObject({
      severity: { DataType: 'String', StringValue: 'critical' },
      event: { DataType: 'String', StringValue: 'opened' },
      cause: { DataType: 'String', StringValue: 'registry' },
      owner: { DataType: 'String.Array', StringValue: '["payments","platform"]' },
    });
    expect(JSON.parse(attributes['region']?.StringValue ?? '')).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('names an alert without owner as "unowned", so a filter policy can route it to a catch-all', () => {
    expect(messageAttributesOf(alert([], { owners: [] }))['owner']?.StringValue).toBe('["unowned"]');
  });

  it('gives SMS one message of at most 140 characters and HTTPS a short text, not the chat JSON', () => {
    const composed = composeSnsMessage(alert(Array.from({ length: 50 }, (_, i) => bulky(i))));
    const message = JSON.parse(composed.message) as Record<string, string>;
    // SNS Publish API, Message: an SMS "can contain up to 140 bytes"; more is sent as several.
    expect(message['sms']?.length).toBeLessThanOrEqual(140);
    expect(message['https']?.length).toBeLessThanOrEqual(1_024);
    expect(message['https']).not.toContain('{');
  });
});
