import { describe, expect, it } from 'vitest';
import {
  composeSnsMessage,
  SNS_MESSAGE_BUDGET_BYTES,
} from '../../../../functions/publish/notification/sns-message.ts';
import { alert, targetAlert } from './alert-fixtures.ts';

/** A target whose evidence is as long as the state table lets it be (12 lines of 500 characters). */
function bulky(i: number) {
  return targetAlert(`image-${String(i).padStart(3, '0')}`, {
    evidence: Array.from({ length: 12 }, (_, line) => `${line}: ${'x'.repeat(490)}`),
  });
}

describe('composeSnsMessage', () => {
  it('keeps every target when the message fits', () => {
    const composed = composeSnsMessage(alert([targetAlert('a'), targetAlert('b')]));
    expect(composed.alert.omitted).toBe(0);
    expect(JSON.parse(composed.message)).toEqual({
      default: expect.any(String),
      email: expect.any(String),
      lambda: expect.any(String),
    });
  });

  it('trims a burst too large for SNS with a "+N more" line instead of dropping the message', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const composed = composeSnsMessage(alert(failing));

    expect(Buffer.byteLength(composed.message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    const { omitted } = composed.alert;
    expect(omitted).toBeGreaterThan(0);
    expect(composed.alert.failing.length + omitted).toBe(300);
    const message = JSON.parse(composed.message) as Record<string, string>;
    const chatbot = JSON.parse(message['default']!);
    expect(chatbot.content.description).toContain(`+${omitted} more`);
    expect(chatbot.metadata.additionalContext.failingTargets).toBe('300');
    expect(message['email']).toContain(`+${omitted} more`);
    expect(message['email']).toContain('FAILING (300)');
    // The worst targets (first in the model's order) are the ones kept.
    expect(composed.alert.failing[0]?.target).toBe('image-000');
  });

  it('keeps as many targets as fit, not fewer', () => {
    const failing = Array.from({ length: 300 }, (_, i) => bulky(i));
    const composed = composeSnsMessage(alert(failing), 100_000);
    const oneMore = composeSnsMessage(alert(failing.slice(0, composed.alert.failing.length + 1)), 10_000_000);
    expect(Buffer.byteLength(oneMore.message)).toBeGreaterThan(100_000);
  });

  it('keeps the email subject within SNS limits', () => {
    const composed = composeSnsMessage(
      alert([targetAlert('a')], { title: `ALARM ${'é'.repeat(200)}\nsecond line` }),
    );
    expect(composed.subject.length).toBeLessThanOrEqual(100);
    expect(composed.subject).toMatch(/^[\x20-\x7E]+$/);
  });
});
