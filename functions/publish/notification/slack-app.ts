/**
 * The Slack app channel (delivery.ts): the same Block Kit as the webhook (slack.ts), posted with
 * `chat.postMessage` and a bot token, so that an incident is one thread. The first message's `ts`
 * is kept per incident (state-thread.ts); every later message of the incident is posted with
 * `thread_ts` set to it, and the recovery also with `reply_broadcast`, so the channel sees it
 * close. Re-grouping keeps the incident id, so a re-grouped incident keeps its thread.
 *
 * Exactly one message of an incident is top-level, however SNS's deliveries race (it invokes the
 * subscriber once per message, asynchronously, so an update can run while the opening is still
 * being posted). A delivery that finds no thread first claims the right to post the root
 * (state-thread.ts, a conditional write: one wins); the others wait for the root's `ts`, a few
 * seconds at most (THREAD_WAITS_MS), then fail retryably and Lambda delivers them again later. An
 * update that finds no thread at all waits a moment before claiming, so that the opening in
 * flight, not the update, is the top-level message. A claim whose post failed is released; one
 * whose holder died is taken over once stale.
 *
 * Slack's rules (docs.slack.dev/reference/methods/chat.postMessage): POST
 * https://slack.com/api/chat.postMessage, JSON body, the token "passed as an HTTP Authorization
 * header"; `thread_ts` is "another message's ts value to make this message a reply" (use the
 * parent's, never a reply's); `reply_broadcast` makes a reply "visible to everyone in the channel";
 * scope `chat:write`. The answer is HTTP 200 with `{"ok": true, "channel", "ts", "message"}`, or
 * `{"ok": false, "error": "channel_not_found"}` and the like; rate limiting is HTTP 429 with
 * Retry-After (docs.slack.dev/apis/web-api/rate-limits).
 *
 * The bot token is a credential: it lives in Secrets Manager, goes only into the Authorization
 * header, and never into a log line or an error.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { SNSEventRecord } from 'aws-lambda';
import { isAbandoned, type ThreadStore } from '../state-thread.ts';
import {
  type AlertChannel,
  type Deliverable,
  DeliveryError,
  type DeliveryLogger,
  deliverAll,
  type HttpDeps,
  postJson,
  requireHttps,
} from './delivery.ts';
import { renderCloudWatchAlarm, renderSlack, type SlackMessage } from './slack.ts';

export const SLACK_API_BASE = 'https://slack.com/api';

export interface SlackAppDeps extends HttpDeps {
  /** The bot token (xoxb-...), from Secrets Manager. */
  token: () => Promise<string>;
  /** The channel id, e.g. C0123ABCD. */
  channel: string;
  threads: ThreadStore;
  /** @default SLACK_API_BASE (tests point it at loopback) */
  apiBase?: string;
  /** Waiting for another delivery's root. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** @default the system clock */
  now?: () => Date;
  logger: DeliveryLogger;
}

/**
 * How long a delivery waits, between reads, for the root another delivery is posting: 7.75 s in
 * all, well within the subscriber's 30-second timeout; Lambda's own retry comes after that.
 */
export const THREAD_WAITS_MS = [250, 500, 1_000, 2_000, 4_000] as const;
/** Reads (with their waits) an update makes for an opening in flight before claiming the thread itself. */
export const UPDATE_WAITS_BEFORE_CLAIM = 2;

export interface PostMessageBody extends SlackMessage {
  channel: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  unfurl_links: false;
  unfurl_media: false;
}

export function slackAppChannel(deps: Omit<SlackAppDeps, 'logger'>): AlertChannel<SlackMessage> {
  return {
    name: 'slack-app',
    render: (item) => (item.alert ? renderSlack(item.alert) : renderCloudWatchAlarm(item.alarm)),
    send: (message, item) => postThreaded(message, item, deps),
  };
}

export async function deliverToSlackApp(
  records: readonly SNSEventRecord[],
  deps: SlackAppDeps,
): Promise<number> {
  return deliverAll(records, slackAppChannel(deps), deps.logger);
}

async function postThreaded(
  message: SlackMessage,
  item: Deliverable,
  deps: Omit<SlackAppDeps, 'logger'>,
): Promise<void> {
  const incidentId = item.alert?.incidentId ?? null;
  // A plain CloudWatch alarm (the notifier's dead-letter alarm) belongs to no incident: top-level.
  const place = incidentId ? await threadFor(incidentId, item.alert?.event === 'opened', deps) : null;
  const root = place?.root ?? null;
  const closing = item.alert?.event === 'recovered' || item.alert?.event === 'merged';
  const body: PostMessageBody = {
    channel: deps.channel,
    ...message,
    ...(root ? { thread_ts: root, ...(closing ? { reply_broadcast: true } : {}) } : {}),
    // Our links are consoles and runbooks: previews would only make the message longer.
    unfurl_links: false,
    unfurl_media: false,
  };
  let ts: string;
  try {
    ts = await postMessage(body, deps);
  } catch (error) {
    if (incidentId && place?.claim) await deps.threads.release(incidentId, place.claim);
    throw error;
  }
  if (incidentId && place?.claim) await deps.threads.setRoot(incidentId, place.claim, ts);
}

/** Where this delivery posts: in the incident's thread, or as its root under a claim it won. */
async function threadFor(
  incidentId: string,
  opening: boolean,
  deps: Omit<SlackAppDeps, 'logger'>,
): Promise<{ root: string; claim?: never } | { root?: never; claim: string }> {
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const now = deps.now ?? (() => new Date());
  const claim = randomUUID();
  // Every pass either returns, waits, or lost a conditional write to another delivery; the bound
  // on passes only keeps a store that misbehaves from looping.
  for (let waits = 0, passes = 0; passes < 4 * THREAD_WAITS_MS.length; passes += 1) {
    const item = await deps.threads.read(incidentId);
    if (item?.ts) return { root: item.ts };
    if (!item && (opening || waits >= UPDATE_WAITS_BEFORE_CLAIM)) {
      if (await deps.threads.claim(incidentId, claim)) return { claim };
      continue; // another delivery claimed it first: wait for its root
    }
    if (item?.claim && isAbandoned(item, now())) {
      if (await deps.threads.claim(incidentId, claim, item.claim)) return { claim };
      continue;
    }
    const wait = THREAD_WAITS_MS[waits];
    if (wait === undefined) {
      // Lambda retries the delivery later; by then the root is posted, or its claim is stale.
      throw new DeliveryError(
        'Slack thread',
        null,
        'another delivery of this incident is still posting its first message',
        true,
      );
    }
    await sleep(wait);
    waits += 1;
  }
  throw new DeliveryError('Slack thread', null, 'the thread record keeps changing', true);
}

/** Posts and returns the message's `ts`; throws a DeliveryError with Slack's error word. */
export async function postMessage(
  body: PostMessageBody,
  deps: Omit<SlackAppDeps, 'logger' | 'threads'>,
): Promise<string> {
  const service = 'Slack chat.postMessage';
  const url = requireHttps(
    service,
    `${(deps.apiBase ?? SLACK_API_BASE).replace(/\/+$/, '')}/chat.postMessage`,
  );
  const token = (await deps.token()).trim();
  if (!/^xox[a-z]-/.test(token))
    throw new DeliveryError(service, null, 'the secret does not hold a Slack bot token (xoxb-...)', false);
  const reply = await postJson(service, url, body, { authorization: `Bearer ${token}` }, deps);
  if (reply.status === 429) {
    const after = reply.headers['retry-after'];
    throw new DeliveryError(service, 429, `ratelimited${after ? `, retry after ${after} s` : ''}`, true);
  }
  if (reply.status < 200 || reply.status >= 300) {
    throw new DeliveryError(service, reply.status, 'unexpected answer', reply.status >= 500);
  }
  let parsed: { ok?: unknown; ts?: unknown; error?: unknown };
  try {
    parsed = JSON.parse(reply.body) as typeof parsed;
  } catch {
    throw new DeliveryError(service, reply.status, 'the answer is not JSON', true);
  }
  if (parsed.ok !== true || typeof parsed.ts !== 'string') {
    const error =
      typeof parsed.error === 'string' ? parsed.error.replace(/[^a-z_]/g, '').slice(0, 64) : 'no error given';
    throw new DeliveryError(
      service,
      reply.status,
      error,
      error === 'ratelimited' || error === 'internal_error',
    );
  }
  return parsed.ts;
}
