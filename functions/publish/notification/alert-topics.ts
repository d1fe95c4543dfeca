/**
 * The notification topics, one per rendering of an alert, as data: the alerting construct creates
 * one SNS topic for each, the notifier publishes each alert to every one of them in its format, and
 * people and subscribers subscribe to the one whose format they read.
 *
 * Why a topic per format, not one topic with `MessageStructure: 'json'` (a format per protocol):
 * routing by owner and severity rests on subscription filter policies over message attributes, and
 * "message attributes are sent only when the message structure is String, not JSON"
 * (https://docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html). Publishing a String
 * message with its attributes to a topic whose every subscriber reads that one format is the case
 * the filtering guide documents: with the default FilterPolicyScope, MessageAttributes, "each
 * property name in the filter policy matches a message attribute name" and "at least one property
 * value matches" (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html).
 *
 * Every topic exists in every deployment: a topic costs nothing while idle (SNS bills requests and
 * deliveries, https://aws.amazon.com/sns/pricing/), and SMS and HTTPS endpoints are subscribed by
 * hand, so their topics must be there to subscribe to. Each alert is therefore five publishes.
 *
 * The notifier's dead-letter alarm notifies all five directly (alerting.ts): CloudWatch allows at
 * most 5 actions per alarm state (lib/guard, CW-AlarmActions), so a sixth format needs another way.
 */

export interface AlertTopicSpec {
  /** Who subscribes, for the topic's description, the docs and the stack output's description. */
  readers: string;
  /** The topic's display name: the email sender's name; for SMS, the prefix of every text. */
  displayName: string;
  /** The notifier's environment variable holding the topic's ARN (notifier-config.ts). */
  env: string;
  /** The home stack's output with the topic's ARN, to subscribe to. */
  output: string;
}

/**
 * Every SMS from a topic starts with its display name, upper-cased, then "> ": "if the display name
 * of a topic is MyTopic and the message is Hello World!, the message appears as: MYTOPIC> Hello
 * World!" (https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-topic.html). Short, because it
 * is paid for out of the 140 bytes of one SMS (short-text.ts).
 */
export const SMS_TOPIC_DISPLAY_NAME = 'canary';

export const ALERT_TOPICS = {
  /** Plain text with the Subject line: the whole story, every diagnosis' evidence (email.ts). */
  email: {
    readers: 'email subscriptions (plain text, with a subject)',
    displayName: 'registry-canary',
    env: 'EMAIL_TOPIC_ARN',
    output: 'EmailTopicArn',
  },
  /** The Amazon Q Developer custom notification, which Amazon Q reads from the message body (chatbot.ts). */
  chat: {
    readers: 'Amazon Q Developer in chat applications (Slack, Microsoft Teams)',
    displayName: 'registry-canary chat',
    env: 'CHAT_TOPIC_ARN',
    output: 'ChatTopicArn',
  },
  /** One SMS: the title and the owner (short-text.ts). */
  sms: {
    readers: 'SMS subscriptions (one short text)',
    displayName: SMS_TOPIC_DISPLAY_NAME,
    env: 'SMS_TOPIC_ARN',
    output: 'SmsTopicArn',
  },
  /** A few lines of plain text for webhooks that forward to a person (short-text.ts). */
  https: {
    readers: 'HTTPS subscriptions (a short plain-text summary)',
    displayName: 'registry-canary https',
    env: 'HTTPS_TOPIC_ARN',
    output: 'HttpsTopicArn',
  },
  /** The alert model as JSON, for the Slack, Slack app and PagerDuty Lambdas, and any SQS or Lambda of yours (delivery.ts). */
  payload: {
    readers: 'Lambda and SQS subscribers (the alert as JSON)',
    displayName: 'registry-canary payload',
    env: 'PAYLOAD_TOPIC_ARN',
    output: 'PayloadTopicArn',
  },
} as const satisfies Record<string, AlertTopicSpec>;

export type AlertTopic = keyof typeof ALERT_TOPICS;

export const ALERT_TOPIC_NAMES = Object.keys(ALERT_TOPICS) as AlertTopic[];

/** A topic's ARN for each format. */
export type AlertTopicArns = Readonly<Record<AlertTopic, string>>;
