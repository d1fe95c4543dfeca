import { describe, expect, it } from 'vitest';
import { ALERT_TOPIC_NAMES } from '../../../../functions/publish/notification/alert-topics.ts';
import { SMS_PREFIX } from '../../../../functions/publish/notification/short-text.ts';
import {
  composeSnsMessage,
  composeSnsMessages,
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

describe('composeSnsMessages', () => {
  it('renders each format as a plain String message with the same routing attributes', () => {
    const a = alert([targetAlert('a'), targetAlert('b')]);
    const composed = composeSnsMessages(a);

    expect(Object.keys(composed)).toEqual(['email', 'chat', 'sms', 'https', 'payload']);
    for (const format of ALERT_TOPIC_NAMES) {
      expect(composed[format].format).toBe(format);
      expect(composed[format].alert.omitted).toBe(0);
      // Attributes travel only with String messages (SNSMessageAttributes.html): every format has them.
      expect(composed[format].messageAttributes).toEqual(messageAttributesOf(a));
    }
    expect(composed.email.message.startsWith(a.title)).toBe(true);
    expect(composed.email.subject).toBe(a.title);
    expect(JSON.parse(composed.chat.message)).toMatchObject({ version: '1.0', source: 'custom' });
    expect(JSON.parse(composed.payload.message)).toEqual({
      kind: 'registry-canary-alert',
      version: 2,
      alert: a,
    });
    expect(composed.https.message).not.toContain('{');
    // Only email shows a Subject; the others have none to carry.
    expect(ALERT_TOPIC_NAMES.filter((f) => composed[f].subject !== undefined)).toEqual(['email']);
  });
});

describe('composeSnsMessage', () => {
  it('trims a burst too large for SNS with a "+N more" line instead of dropping the message', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    // The chat message shows a few diagnoses in full and counts the rest: it fits as it is.
    const chat = composeSnsMessage(alert(failing), 'chat');
    const email = composeSnsMessage(alert(failing), 'email');
    const payload = composeSnsMessage(alert(failing), 'payload');
    expect(chat.alert.omitted).toBe(0);

    for (const composed of [email, payload]) {
      expect(publishedBytes(composed)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
      expect(composed.alert.omitted).toBeGreaterThan(0);
      expect(shownTargets(composed.alert) + composed.alert.omitted).toBe(300);
      // The worst targets (first in the model's order) are the ones kept.
      expect(composed.alert.groups[0]?.targets[0]?.target).toBe('image-000');
    }
    expect(JSON.parse(chat.message).metadata.additionalContext.failingTargets).toBe('300');
    expect(JSON.parse(payload.message).alert.omitted).toBe(payload.alert.omitted);
    expect(email.message).toContain(`+${email.alert.omitted} more`);
    expect(email.message).toContain('FAILING (300)');
  });

  it('sizes each format on its own: the plain-text email keeps more targets than the chat JSON', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const chat = composeSnsMessage(alert(failing), 'chat', 100_000);
    const email = composeSnsMessage(alert(failing), 'email', 100_000);
    expect(shownTargets(email.alert)).not.toBe(shownTargets(chat.alert));
  });

  it('keeps as many targets as fit, not fewer', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    for (const format of ['email', 'payload'] as const) {
      const composed = composeSnsMessage(alert(failing), format, 100_000);
      const oneMore = composeSnsMessage(
        alert(failing.slice(0, shownTargets(composed.alert) + 1)),
        format,
        10_000_000,
      );
      expect(publishedBytes(oneMore)).toBeGreaterThan(100_000);
    }
  });

  it('keeps the email subject within SNS limits', () => {
    const composed = composeSnsMessage(
      alert([targetAlert('a')], { title: `ALARM ${'é'.repeat(200)}\nsecond line` }),
      'email',
    );
    // SNS Publish API, Subject: "less than 100 characters long", no line breaks or control characters.
    expect(composed.subject?.length).toBeLessThan(100);
    expect(composed.subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('keeps only the first alarm ARNs of a burst too large for SNS', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const alarmArns = failing.map(
      (t) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${t.target}-failing`,
    );
    const burst = alert(failing, { alarmArns });
    // A budget one byte short of the whole chat message: the ARNs are the first thing to go.
    const budget = publishedBytes(composeSnsMessage(burst, 'chat', 10_000_000)) - 1;
    const composed = composeSnsMessage(burst, 'chat', budget);

    const chatbot = JSON.parse(composed.message);
    expect(MAX_ALARM_ARNS).toBe(20);
    expect(chatbot.metadata.relatedResources).toEqual(alarmArns.slice(0, 20));
    expect(composed.alert.omitted).toBe(0);
    expect(publishedBytes(composed)).toBeLessThanOrEqual(budget);
  });

  it('trims a recovery of thousands of targets with "+N more" after the names', () => {
    const recovered = Array.from(
      { length: 30_000 },
      (_, i) => `recovered-image-${String(i).padStart(5, '0')}`,
    );
    const recovery = alert([], { event: 'recovered', status: 'OK', recovered });
    const chat = composeSnsMessage(recovery, 'chat');
    const email = composeSnsMessage(recovery, 'email');

    for (const composed of [chat, email]) {
      expect(publishedBytes(composed)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
      expect(composed.alert.recoveredOmitted).toBeGreaterThan(0);
      expect(composed.alert.recovered.length + composed.alert.recoveredOmitted).toBe(30_000);
      expect(composed.alert.recovered[0]).toBe('recovered-image-00000');
    }
    expect(JSON.parse(chat.message).content.description).toContain(`, +${chat.alert.recoveredOmitted} more`);
    expect(email.message).toContain('RECOVERED (30000)');
    expect(email.message).toContain(`, +${email.alert.recoveredOmitted} more`);
  });

  it('falls back to a minimal message, with counts and no targets, when the headline alone is too large', () => {
    const failing = [targetAlert('a'), targetAlert('b')];
    const huge = alert(failing, { headline: 'x'.repeat(300_000) });
    const email = composeSnsMessage(huge, 'email');
    const payload = composeSnsMessage(huge, 'payload');

    for (const composed of [email, payload]) {
      expect(publishedBytes(composed)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
      expect(composed.alert).toMatchObject({ groups: [], omitted: 2, alarmArns: [] });
      expect(composed.alert.headline.length).toBeLessThanOrEqual(1_000);
    }
    expect(email.message).toContain('FAILING (2)');
    expect(email.message).toContain('+2 more');
    expect(JSON.parse(payload.message).alert.omitted).toBe(2);
  });

  it('throws instead of publishing when not even the minimal message fits', () => {
    expect(() => composeSnsMessage(alert([targetAlert('a')]), 'email', 500)).toThrow(SnsMessageTooLargeError);
    expect(() => composeSnsMessages(alert([targetAlert('a')]), 500)).toThrow(/email alert for/);
  });

  it.each([5_000, 20_000, 60_000])(
    'never returns a message over a budget of %i bytes, in any format',
    (budget) => {
      const failing = Array.from({ length: 40 }, (_, i) => bulky(i));
      const recovered = Array.from({ length: 4000 }, (_, i) => `recovered-${i}`);
      for (const composed of Object.values(composeSnsMessages(alert(failing, { recovered }), budget))) {
        expect(publishedBytes(composed)).toBeLessThanOrEqual(budget);
        expect(shownTargets(composed.alert) + composed.alert.omitted).toBe(40);
        expect(composed.alert.recovered.length + composed.alert.recoveredOmitted).toBe(4000);
      }
    },
  );

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

  it('gives SMS one message of at most 140 characters with the topic prefix, and HTTPS a short text, not the chat JSON', () => {
    const composed = composeSnsMessages(alert(Array.from({ length: 50 }, (_, i) => bulky(i))));
    // An SMS "can contain up to 140 bytes"; more is sent as several, and a topic's SMS start with
    // "DISPLAYNAME> " (docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html, sms_publish-to-topic.html).
    expect(`${SMS_PREFIX}${composed.sms.message}`.length).toBeLessThanOrEqual(140);
    expect(SMS_PREFIX).toBe('CANARY> ');
    expect(composed.https.message.length).toBeLessThanOrEqual(1_024);
    expect(composed.https.message).not.toContain('{');
  });
});
