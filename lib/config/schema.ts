/**
 * The one typed config of a registry-canary deployment, validated with zod at `cdk synth`.
 * Every default is written here, next to its field, so the schema is the reference.
 */
import { z } from 'zod';
import * as zm from 'zod/mini';
import { credentialSourceSchema } from '../../functions/credentials/source.ts';
import { DEFAULT_HOLD_BACK_MS } from '../../functions/publish/notification/pending.ts';
import { DEFAULT_HEARTBEAT_MINUTES, DEFAULT_TTL_DAYS } from '../../functions/publish/state-item.ts';
import { PROFILE_NAMES } from '../../functions/registry/profiles.ts';

/**
 * An AWS region name such as eu-west-1, us-gov-west-1, cn-north-1. Only a string here: whether it is
 * a region the CDK knows, and in the home region's partition, is checked by lib/config/region-rules.ts
 * (from validateConfig), so one misspelt region does not hide the other rules that read the regions.
 */
const regionName = z.string().min(1);

/** Target names become a metric dimension and part of alarm names: keep them short and plain. */
const targetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
  message: 'must be 1-63 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
});

const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, {
  message: 'must be os/arch or os/arch/variant, e.g. linux/amd64',
});

/**
 * Tags go onto the target's alarms (CloudFormation Tags); CloudWatch refuses, at deploy, a key or
 * value outside these characters or lengths, and keys starting with `aws:`.
 */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARACTERS_MESSAGE = 'may hold only letters, digits, spaces and _ . : / = + - @';
/** Why a tag key is refused, or undefined. (A record's key schema would report only "Invalid key in record".) */
function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 128) return 'a tag key must be 1-128 characters';
  if (!TAG_CHARACTERS.test(key)) return `a tag key ${TAG_CHARACTERS_MESSAGE}`;
  if (key.toLowerCase().startsWith('aws:')) return 'a tag key must not start with "aws:" (reserved for AWS)';
  return undefined;
}
const tagValue = z
  .string()
  .max(256)
  .regex(TAG_CHARACTERS, { message: `a tag value ${TAG_CHARACTERS_MESSAGE}` });
/** CloudWatch allows 50 tags per alarm; the owner, when set, takes one (the `Owner` tag). */
export const MAX_TARGET_TAGS = 49;

/** Each threshold without its default: a target's own `thresholds` (below) must not get one. */
const thresholdFields = {
  /** A probe slower than this is degraded (SLOW) and, for M of N periods, raises the latency alarm. @default 5000 */
  slowMs: z.number().int().positive(),
  /** Warn and alarm when the registry's certificate expires within this many days. @default 14 */
  certExpiryDays: z.number().int().positive(),
  /** Warn and alarm when the pull budget left is below this fraction of the limit. @default 0.2 */
  rateLimitRatio: z.number().gt(0).lt(1),
  /** Overall deadline of one probe of this target. @default 10000 */
  timeoutMs: z.number().int().min(1_000).max(60_000),
};

export const thresholdsSchema = z
  .object({
    slowMs: thresholdFields.slowMs.default(5_000),
    certExpiryDays: thresholdFields.certExpiryDays.default(14),
    rateLimitRatio: thresholdFields.rateLimitRatio.default(0.2),
    timeoutMs: thresholdFields.timeoutMs.default(10_000),
  })
  .strict();

/**
 * A target's overrides, field by field. Not `thresholdsSchema.partial()`: zod still fills in the
 * defaults of a partial's fields, so `{ timeoutMs: 5000 }` came out with slowMs 5000 and
 * overrode the deployment's `defaults.slowMs`.
 */
const targetThresholdsSchema = z.object(thresholdFields).partial().strict();

export type Thresholds = z.infer<typeof thresholdsSchema>;

/**
 * The most mirrors one target may list. Each mirror is probed beside its target, in the target's
 * concurrency slot and within its deadline, so a target with N mirrors holds N + 1 probes (and
 * their connections) at once: with the largest concurrency (MAX_CONCURRENCY) that is already 512
 * probes in one Lambda at 3. Three covers the usual set (a public mirror such as mirror.gcr.io, a
 * cloud pull-through cache, an in-house proxy cache); more is a fleet of targets, not mirrors.
 */
export const MAX_MIRRORS = 3;

/**
 * A mirror of a target's image: another registry (or another path on one) that serves the same
 * image, such as mirror.gcr.io for Docker Hub, an ECR pull-through cache rule, a Harbor proxy
 * cache. Probed with the target's platforms and thresholds; its own endpoint settings are here.
 */
export const mirrorSchema = z
  .object({
    /**
     * The mirror's reference, e.g. mirror.gcr.io/library/alpine. Without a tag or digest it takes the
     * target's (mirror.gcr.io/library/alpine for the target alpine:3.20 probes mirror.gcr.io/library/alpine:3.20).
     */
    image: z.string().min(1),
    /** Shown in results and alerts beside the image. @default none: the image names it */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/, {
        message: 'must be 1-63 characters of letters, digits, spaces, ".", "_" or "-"',
      })
      .optional(),
    /** @default { type: 'anonymous' } */
    credentials: zm._default(credentialSourceSchema, { type: 'anonymous' }),
    /** Talk HTTP instead of HTTPS to the mirror. @default false */
    plainHttp: z.boolean().default(false),
    /** The mirror registry's family, as a target's `profile`. @default recognised from the host */
    profile: z.enum(PROFILE_NAMES).optional(),
  })
  .strict();

export type MirrorConfig = z.output<typeof mirrorSchema>;

export const targetSchema = z
  .object({
    name: targetName,
    /** Image reference as docker takes it: alpine, docker.io/library/alpine:latest, host:5000/x@sha256:... */
    image: z.string().min(1),
    /** @default { type: 'anonymous' } */
    credentials: zm._default(credentialSourceSchema, { type: 'anonymous' }),
    /** Platforms that must be present in a multi-arch index. @default ['linux/amd64'] */
    platforms: z.array(platform).min(1).default(['linux/amd64']),
    /** @default the deployment's `defaults` */
    thresholds: targetThresholdsSchema.optional(),
    /**
     * Who to ask when this target fails: a team, an email, a Slack handle. Goes into alarm
     * descriptions and the alarms' `Owner` tag, so it is held to a tag value's characters.
     */
    owner: z
      .string()
      .min(1)
      .max(256)
      .regex(TAG_CHARACTERS, { message: `${TAG_CHARACTERS_MESSAGE} (it is also the alarms' Owner tag)` })
      .optional(),
    /** Put on this target's alarms as tags (with `Owner: <owner>`, which a `tags.Owner` overrides). @default {} */
    tags: z
      .record(z.string(), tagValue)
      .superRefine((tags, ctx) => {
        for (const key of Object.keys(tags)) {
          const problem = tagKeyProblem(key);
          if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
        }
        if (Object.keys(tags).length > MAX_TARGET_TAGS) {
          ctx.addIssue({
            code: 'custom',
            message: `at most ${MAX_TARGET_TAGS} tags (CloudWatch allows 50 per alarm, and the owner takes one)`,
          });
        }
      })
      .default({}),
    /** A disabled target stays in the config but is neither probed nor alarmed. @default true */
    enabled: z.boolean().default(true),
    /** Probe only from these regions (each must be one of `probeRegions`). @default all probe regions */
    regions: z.array(regionName).min(1).optional(),
    /** Also download the smallest layer and check its sha256 (costs a pull on rate-limited registries). @default false */
    verifyBlob: z.boolean().default(false),
    /**
     * Talk HTTP instead of HTTPS to the registry, as the command line's `--plain-http`: for an
     * internal registry without TLS that a probe in a VPC reaches. Credentials, when the target has
     * any, then cross the network in clear. @default false
     */
    plainHttp: z.boolean().default(false),
    /**
     * The registry family, for a self-hosted registry its host cannot identify (`harbor`, `nexus`,
     * `artifactory`, `gitlab`...), as the command line's `--profile`: it decides how the registry's
     * error answers are read and which next steps are shown (functions/registry/profiles.ts).
     * @default recognised from the host (Docker Hub, ECR, GHCR...), else `generic`
     */
    profile: z.enum(PROFILE_NAMES).optional(),
    /**
     * Alarm when the pull budget (the RateLimit headers) runs low. The probe reports the budget of
     * any registry that sends the headers; set true for a private registry or proxy with pull
     * limits, false to silence a registry whose limits you have raised.
     * @default true for registries known to limit pulls (Docker Hub, ECR Public), false otherwise
     */
    rateLimitAlarm: z.boolean().optional(),
    /**
     * Mirrors of this image, probed with it (README "Mirrors"): each must serve the target's digest
     * (else the warning MIRROR_DIGEST_MISMATCH), and when the target fails while a mirror passes, the
     * diagnosis and the alert say first to switch to it. A mirror is part of its target: it has no
     * alarms or metrics of its own. At most MAX_MIRRORS. @default []
     */
    // The bound (MAX_MIRRORS) is checked with the other mirror rules (validate.ts), so that a
    // fourth mirror does not hide the problems of the first three.
    mirrors: z.array(mirrorSchema).default([]),
  })
  .strict();

/**
 * An EC2 resource id: the prefix, a hyphen and 8 (older resources) or 17 hexadecimal characters.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html. Any other length passes
 * synth and fails at deploy; CloudFormation's template validation warns about it at synth.
 */
function ec2Id(prefix: string, what: string) {
  return z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), {
    message: `must be a ${what} id: "${prefix}-" and 8 or 17 hexadecimal characters, e.g. ${prefix}-0123456789abcdef0`,
  });
}

export const vpcPlacementSchema = z
  .object({
    vpcId: ec2Id('vpc', 'VPC'),
    subnetIds: z.array(ec2Id('subnet', 'subnet')).min(1),
    securityGroupId: ec2Id('sg', 'security group'),
  })
  .strict();

/** Extra CA certificates the probe trusts, for private registries behind an internal CA. */
export const caBundleSchema = z.union([
  z.object({ path: z.string().min(1) }).strict(),
  z.object({ pem: z.string().includes('-----BEGIN CERTIFICATE-----') }).strict(),
]);

/**
 * Who hears about alarms. Strict, like the rest of the config: a misspelt key (`emial`,
 * `reminderMinute`) would otherwise pass synth and silently leave the alerts unconfigured.
 * Slack is reached through `amazonQ` or `slackWebhookSecret`.
 */
export const notificationsSchema = z
  .object({
    /** Subscribed to the alerts (home region's email topic) and to each region's operations topic. */
    emails: z.array(z.email()).default([]),
    /** Post alerts to a Slack channel through Amazon Q Developer in chat applications (formerly AWS Chatbot). @default none */
    amazonQ: z
      .object({
        /** The Slack workspace (team) id, authorised once in the Amazon Q Developer console, e.g. T0123ABCD. */
        slackWorkspaceId: z
          .string()
          .regex(/^[A-Z0-9]+$/, { message: 'must be a Slack workspace id such as T0123ABCD' }),
        /** The channel id (channel details in Slack), e.g. C0123ABCD. */
        slackChannelId: z
          .string()
          .regex(/^[A-Z0-9]+$/, { message: 'must be a Slack channel id such as C0123ABCD' }),
        /** @default 'registry-canary' */
        configurationName: z.string().min(1).max(128).optional(),
      })
      .strict()
      .optional(),
    /** ARN or name of a Secrets Manager secret holding a Slack incoming-webhook URL; adds the webhook subscriber. @default none */
    slackWebhookSecret: z.string().min(1).optional(),
    /**
     * Post to Slack as a Slack app, one thread per incident: a Secrets Manager secret (ARN or name)
     * holding the bot token (scope chat:write), and the channel the app is a member of. @default none
     */
    slackApp: z
      .object({
        botTokenSecret: z.string().min(1),
        channelId: z
          .string()
          .regex(/^[A-Z0-9]+$/, { message: 'must be a Slack channel id such as C0123ABCD' }),
      })
      .strict()
      .optional(),
    /**
     * Page through PagerDuty (Events API v2): a Secrets Manager secret (ARN or name) holding the
     * integration key, and the incident severities that page. @default none
     */
    pagerDuty: z
      .object({
        routingKeySecret: z.string().min(1),
        severities: z
          .array(z.enum(['critical', 'warning']))
          .min(1)
          .default(['critical']),
      })
      .strict()
      .optional(),
    /**
     * The alarm topic is subscribed outside this app (e.g. a PagerDuty endpoint added by hand), so
     * no emails, amazonQ or slackWebhookSecret is intended: silences the synth warning that alarms
     * notify nobody (lib/config/config-warnings.ts). @default false
     */
    subscribedElsewhere: z.boolean().default(false),
    /** Remind about an incident still open after this many minutes; 0 turns reminders off. @default 60 */
    reminderMinutes: z.number().int().min(0).default(60),
    /**
     * An update to an incident notified less than this many seconds ago waits, merged with what
     * follows, so a burst split across batches makes one update; 0 sends every update at once.
     * At most 10 minutes: a longer wait makes the update stale news. @default 120
     */
    updateHoldBackSeconds: z
      .number()
      .int()
      .min(0)
      .max(600)
      .default(DEFAULT_HOLD_BACK_MS / 1000),
  })
  .strict();

/**
 * The only retention periods CloudWatch Logs accepts (PutRetentionPolicy); any other number passes
 * synth and fails the deploy. Written out rather than read from aws-cdk-lib's RetentionDays so the
 * command-line tool can validate a config without loading the CDK.
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** The most targets one invocation probes at once. */
export const MAX_CONCURRENCY = 128;

export const scheduleSchema = z
  .object({
    /** Run the probes every N minutes. One minute is the fastest CloudWatch period we alarm on. @default 5 */
    everyMinutes: z.number().int().min(1).max(60).default(5),
  })
  .strict();

/**
 * The state of record (docs/alerts.md). One heartbeat for both sides: the probes rewrite an
 * unchanged result this often, and the notifier counts a region whose result is older than two
 * heartbeats plus one probe interval as "no recent result".
 */
export const stateSchema = z
  .object({
    /** Rewrite a healthy, unchanged result after this many minutes (more often costs writes). @default 15 */
    heartbeatMinutes: z.number().int().min(1).max(720).default(DEFAULT_HEARTBEAT_MINUTES),
    /** Items expire this many days after their last write (so removed targets clean up). @default 14 */
    ttlDays: z.number().int().min(1).max(365).default(DEFAULT_TTL_DAYS),
  })
  .strict();

export const alarmPolicySchema = z
  .object({
    /** Alarm after M bad periods out of the last N ("M of N"). @default 2 */
    datapointsToAlarm: z.number().int().min(1).default(2),
    /** @default 3 */
    evaluationPeriods: z.number().int().min(1).default(3),
    /** A registry-wide outage is failing in at least this many regions. @default all probe regions */
    outageRegions: z.number().int().min(1).optional(),
  })
  .strict();

export const canaryConfigSchema = z
  .object({
    /** Account to deploy into. @default the CLI's account (env-agnostic when there are no credentials) */
    account: z
      .string()
      .regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' })
      .optional(),
    /** Where alarms, the alarm topic and the dashboard live. */
    homeRegion: regionName,
    /** One probe stack per region. At most 10: a metric-math alarm reads at most 10 metrics. */
    probeRegions: z.array(regionName).min(1).max(10),
    schedule: scheduleSchema.default({ everyMinutes: 5 }),
    /** Thresholds every target starts from; a target's own `thresholds` override them field by field. */
    defaults: thresholdsSchema.default(thresholdsSchema.parse({})),
    alarms: alarmPolicySchema.default(alarmPolicySchema.parse({})),
    targets: z.array(targetSchema).min(1),
    notifications: notificationsSchema.default(notificationsSchema.parse({})),
    state: stateSchema.default(stateSchema.parse({})),
    /** Runbook pages are `<runbookBaseUrl>/<CODE>.md`. @default the project's docs/runbooks on GitHub */
    runbookBaseUrl: z.url().optional(),
    /**
     * Lambda placement per probe region, for registries reachable only from a VPC. Keys are probe
     * regions (checked by region-rules.ts, which names the key; a record's key schema would say only
     * "Invalid key in record").
     */
    vpc: z.record(z.string(), vpcPlacementSchema).optional(),
    /** Proxy for registry traffic, as docker reads HTTPS_PROXY. */
    httpsProxy: z.url().optional(),
    /** Hosts that bypass the proxy, as docker reads NO_PROXY. */
    noProxy: z.string().optional(),
    caBundle: caBundleSchema.optional(),
    /** Targets probed at once in one invocation. @default 16 */
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).default(16),
    /** Retention of the probe's (and the notifier's) log group, in days: one of LOG_RETENTION_DAYS. @default 30 */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        message: `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')} days`,
      })
      .default(30),
  })
  .strict();

/** The config as written by a user: defaults may be left out. */
export type CanaryConfigInput = z.input<typeof canaryConfigSchema>;
/** The config after validation: every default filled in. */
export type CanaryConfig = z.output<typeof canaryConfigSchema>;
export type TargetConfig = CanaryConfig['targets'][number];
