/**
 * A small evaluator of the resource policies on the alert path, over synthesized templates: for
 * every alarm action, every SNS publisher and every SNS-to-SQS subscription, would AWS let the
 * publisher through? It follows the rules that decide it (IAM User Guide, "Policy evaluation logic":
 * an explicit deny wins, then an allow is needed; for a service principal acting on a resource,
 * only the resource policy can allow it; for a principal of the same account, an allow in either
 * its identity policy or the resource policy suffices; KMS is the exception, where the key policy
 * must allow the account (`arn:aws:iam::<account>:root`) before identity policies count — AWS KMS
 * Developer Guide, "Default key policy").
 *
 * The checks it makes:
 * - an alarm publishing to a topic: the topic policy allows cloudwatch.amazonaws.com `sns:Publish`
 *   for this alarm's ARN and account, and the topic's key policy allows CloudWatch
 *   kms:GenerateDataKey* and kms:Decrypt (Amazon SNS Developer Guide, "Key management");
 * - a role publishing to a topic: its policy allows `sns:Publish` there, and, for an encrypted
 *   topic, kms:GenerateDataKey and kms:Decrypt on the key, which the key policy delegates to IAM;
 * - a topic delivering to a queue: the queue policy allows sns.amazonaws.com `sqs:SendMessage` from
 *   that topic, and the queue is not encrypted with a key SNS may not use.
 * Intrinsics are resolved to stable placeholder ARNs (`arn:aws:sns:<region>:<account>:<logical id>`),
 * so a policy that names a resource by Ref or GetAtt matches the same resource's placeholder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Json = Record<string, unknown>;

export interface SynthedTemplate {
  /** The stack's (or nested stack's) display name. */
  name: string;
  account: string;
  region: string;
  template: Json;
  /** For a nested stack, its parameters' values as the parent passes them (resolved in the parent). */
  parameters: Record<string, string>;
}

export interface Finding {
  template: string;
  resource: string;
  problem: string;
}

interface Resource {
  Type: string;
  Properties?: Json;
  Metadata?: Json;
}

/** Every stack template of an assembly, nested ones included (from the parent's asset metadata). */
export function assemblyTemplates(
  outdir: string,
  stacks: { name: string; account: string; region: string; templateFile: string }[],
): SynthedTemplate[] {
  const out: SynthedTemplate[] = [];
  const visit = (
    name: string,
    account: string,
    region: string,
    file: string,
    parameters: Record<string, string>,
  ) => {
    const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as Json;
    const entry = { name, account, region, template, parameters };
    out.push(entry);
    for (const [id, resource] of Object.entries(resourcesOf(template))) {
      if (resource.Type !== 'AWS::CloudFormation::Stack') continue;
      const asset = resource.Metadata?.['aws:asset:path'];
      if (typeof asset !== 'string') continue;
      const passed: Record<string, string> = {};
      for (const [param, value] of Object.entries((resource.Properties?.['Parameters'] as Json) ?? {})) {
        passed[param] = resolve(value, entry);
      }
      visit(`${name}/${id}`, account, region, asset, passed);
    }
  };
  for (const stack of stacks) visit(stack.name, stack.account, stack.region, stack.templateFile, {});
  return out;
}

function resourcesOf(template: Json): Record<string, Resource> {
  return (template['Resources'] as Record<string, Resource>) ?? {};
}

/** A placeholder ARN for a resource of a template, by its type. */
function placeholder(t: SynthedTemplate, logicalId: string, resource: Resource | undefined): string {
  const where = `${t.region}:${t.account}`;
  switch (resource?.Type) {
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${where}:${t.name}.${logicalId}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${where}:key/${t.name}.${logicalId}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${where}:${t.name}.${logicalId}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${t.account}:role/${t.name}.${logicalId}`;
    default:
      return `unresolved:${t.name}.${logicalId}`;
  }
}

/** Resolves the intrinsics our templates use to a string (placeholders for resources). */
export function resolve(value: unknown, t: SynthedTemplate): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const v = value as Json;
  if ('Ref' in v) {
    const ref = v['Ref'] as string;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::AccountId') return t.account;
    if (ref === 'AWS::Region') return t.region;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (ref in t.parameters) return t.parameters[ref]!;
    return placeholder(t, ref, resourcesOf(t.template)[ref]);
  }
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    const resource = resourcesOf(t.template)[id];
    if (resource?.Type === 'AWS::CloudFormation::Stack') return `unresolved:${id}.${attribute}`;
    return attribute === 'Arn' || attribute === 'TopicArn'
      ? placeholder(t, id, resource)
      : `${placeholder(t, id, resource)}#${attribute}`;
  }
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolve(p, t)).join(separator);
  }
  return JSON.stringify(v);
}

interface Statement {
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface Request {
  principal: { service: string } | { arn: string; account: string };
  action: string;
  resource: string;
  context: Record<string, string>;
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's wildcard match: `*` any run of characters, `?` one. */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

function principalMatches(principal: unknown, who: Request['principal'], t: SynthedTemplate): boolean {
  if (principal === '*') return true;
  const p = (principal ?? {}) as { Service?: unknown; AWS?: unknown };
  if ('service' in who)
    return list(p.Service as string[] | string).some((s) => resolve(s, t) === who.service);
  return list(p.AWS as unknown[]).some((a) => {
    const arn = resolve(a, t);
    return (
      arn === '*' || arn === who.arn || arn === `arn:aws:iam::${who.account}:root` || arn === who.account
    );
  });
}

const CONDITION_OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  StringLike: globMatch,
  ArnEquals: (p, v) => p === v,
  ArnLike: globMatch,
  Bool: (p, v) => p === v,
};

/** Conditions hold when every operator's every key matches one of its values; an unknown operator fails closed. */
function conditionsHold(
  conditions: Statement['Condition'],
  context: Record<string, string>,
  t: SynthedTemplate,
): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    const test = CONDITION_OPERATORS[operator];
    if (!test) return false;
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      if (actual === undefined) return false;
      if (!list(expected as unknown[]).some((e) => test(resolve(e, t), actual))) return false;
    }
  }
  return true;
}

function statementApplies(s: Statement, request: Request, t: SynthedTemplate, identity: boolean): boolean {
  if (!identity && !principalMatches(s.Principal, request.principal, t)) return false;
  if (!list(s.Action).some((a) => globMatch(a, request.action))) return false;
  const resources = list(s.Resource as unknown[]).map((r) => resolve(r, t));
  if (!resources.some((r) => globMatch(r, request.resource))) return false;
  return conditionsHold(s.Condition, request.context, t);
}

/** 'allow', 'deny' (explicit), or 'none' (no statement allows). */
export function evaluate(
  statements: readonly Statement[],
  request: Request,
  t: SynthedTemplate,
  identity = false,
): 'allow' | 'deny' | 'none' {
  const applying = statements.filter((s) => statementApplies(s, request, t, identity));
  if (applying.some((s) => s.Effect === 'Deny')) return 'deny';
  return applying.some((s) => s.Effect === 'Allow') ? 'allow' : 'none';
}

interface Located {
  t: SynthedTemplate;
  id: string;
  resource: Resource;
}

function locate(arn: string, templates: readonly SynthedTemplate[]): Located | undefined {
  for (const t of templates) {
    for (const [id, resource] of Object.entries(resourcesOf(t.template))) {
      if (placeholder(t, id, resource) === arn) return { t, id, resource };
    }
  }
  return undefined;
}

function policyStatements(resource: Resource): Statement[] {
  return (
    (resource.Properties?.['PolicyDocument'] as { Statement?: Statement[] } | undefined)?.Statement ?? []
  );
}

function topicPolicyStatements(topic: Located): Statement[] {
  const arn = placeholder(topic.t, topic.id, topic.resource);
  return Object.values(resourcesOf(topic.t.template))
    .filter((r) => r.Type === 'AWS::SNS::TopicPolicy')
    .filter((r) => list(r.Properties?.['Topics'] as unknown[]).some((x) => resolve(x, topic.t) === arn))
    .flatMap((r) => policyStatements(r));
}

function keyOf(topic: Located, templates: readonly SynthedTemplate[]): Located | undefined | 'none' {
  const keyRef = topic.resource.Properties?.['KmsMasterKeyId'];
  if (keyRef === undefined) return 'none';
  return locate(resolve(keyRef, topic.t), templates);
}

function keyPolicy(key: Located): Statement[] {
  return ((key.resource.Properties?.['KeyPolicy'] as { Statement: Statement[] }) ?? { Statement: [] })
    .Statement;
}

const SNS_KMS_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** Every way the templates' alert path could be refused, by the rules above. */
export function publishFindings(templates: readonly SynthedTemplate[]): Finding[] {
  const findings: Finding[] = [];
  for (const t of templates) {
    for (const [id, resource] of Object.entries(resourcesOf(t.template))) {
      const report = (problem: string) => findings.push({ template: t.name, resource: id, problem });
      if (resource.Type === 'AWS::CloudWatch::Alarm') checkAlarm(t, resource, templates, report);
      if (resource.Type === 'AWS::IAM::Policy') checkRolePublishes(t, resource, templates, report);
      if (resource.Type === 'AWS::SNS::Subscription') checkSubscription(t, resource, templates, report);
    }
  }
  return findings;
}

function checkAlarm(
  t: SynthedTemplate,
  alarm: Resource,
  templates: readonly SynthedTemplate[],
  report: (p: string) => void,
) {
  const props = alarm.Properties ?? {};
  const name = props['AlarmName'];
  if (typeof name !== 'string') {
    report('has no literal AlarmName, so no topic policy can name it in aws:SourceArn');
    return;
  }
  const alarmArn = `arn:aws:cloudwatch:${t.region}:${t.account}:alarm:${name}`;
  const actions = [...list(props['AlarmActions'] as unknown[]), ...list(props['OKActions'] as unknown[])];
  if (actions.length === 0) report(`alarm ${name} notifies nobody`);
  for (const action of actions.map((a) => resolve(a, t))) {
    const topic = locate(action, templates);
    if (topic?.resource.Type !== 'AWS::SNS::Topic') {
      report(`alarm ${name} publishes to ${action}, which is no topic of these stacks`);
      continue;
    }
    const request: Request = {
      principal: { service: 'cloudwatch.amazonaws.com' },
      action: 'sns:Publish',
      resource: action,
      context: { 'aws:SourceAccount': t.account, 'aws:SourceArn': alarmArn, 'aws:SecureTransport': 'true' },
    };
    const verdict = evaluate(topicPolicyStatements(topic), request, topic.t);
    if (verdict !== 'allow')
      report(`alarm ${name}: the policy of topic ${topic.id} does not let CloudWatch publish (${verdict})`);
    const key = keyOf(topic, templates);
    if (key === 'none') continue;
    if (!key) {
      report(`alarm ${name}: topic ${topic.id} is encrypted with a key outside these stacks`);
      continue;
    }
    for (const kmsAction of SNS_KMS_ACTIONS) {
      const kms = evaluate(keyPolicy(key), { ...request, action: kmsAction, resource: '*' }, key.t);
      if (kms !== 'allow')
        report(`alarm ${name}: the policy of key ${key.id} does not allow CloudWatch ${kmsAction}`);
    }
  }
}

function checkRolePublishes(
  t: SynthedTemplate,
  policy: Resource,
  templates: readonly SynthedTemplate[],
  report: (p: string) => void,
) {
  const statements = policyStatements(policy);
  for (const role of list(policy.Properties?.['Roles'] as unknown[]).map((r) => resolve(r, t))) {
    const principal = { arn: role, account: t.account };
    for (const s of statements.filter(
      (x) => x.Effect === 'Allow' && list(x.Action).includes('sns:Publish'),
    )) {
      for (const topicArn of list(s.Resource as unknown[]).map((r) => resolve(r, t))) {
        const topic = locate(topicArn, templates);
        if (!topic) continue;
        const request: Request = {
          principal,
          action: 'sns:Publish',
          resource: topicArn,
          context: { 'aws:SecureTransport': 'true' },
        };
        if (evaluate(topicPolicyStatements(topic), request, topic.t) === 'deny') {
          report(`role ${role}: the policy of topic ${topic.id} denies its sns:Publish`);
        }
        const key = keyOf(topic, templates);
        if (key === 'none') continue;
        if (!key) {
          report(`role ${role}: topic ${topic.id} is encrypted with a key outside these stacks`);
          continue;
        }
        const keyArn = placeholder(key.t, key.id, key.resource);
        for (const kmsAction of SNS_KMS_ACTIONS) {
          const delegated = evaluate(keyPolicy(key), { ...request, action: kmsAction, resource: '*' }, key.t);
          const granted = evaluate(statements, { ...request, action: kmsAction, resource: keyArn }, t, true);
          if (delegated === 'deny' || (delegated === 'none' && granted !== 'allow') || granted === 'deny') {
            report(`role ${role}: may not ${kmsAction} with key ${key.id} to publish to topic ${topic.id}`);
          }
        }
      }
    }
  }
}

function checkSubscription(
  t: SynthedTemplate,
  subscription: Resource,
  templates: readonly SynthedTemplate[],
  report: (p: string) => void,
) {
  const props = subscription.Properties ?? {};
  if (props['Protocol'] !== 'sqs') return;
  const topicArn = resolve(props['TopicArn'], t);
  const queueArn = resolve(props['Endpoint'], t);
  const queue = locate(queueArn, templates);
  if (!queue) {
    report(`subscription of ${topicArn} delivers to ${queueArn}, which is no queue of these stacks`);
    return;
  }
  // Ref of a queue (its URL, which QueuePolicy names) and its ARN resolve to one placeholder.
  const queueUrl = placeholder(queue.t, queue.id, queue.resource);
  const statements = Object.values(resourcesOf(queue.t.template))
    .filter((r) => r.Type === 'AWS::SQS::QueuePolicy')
    .filter((r) => list(r.Properties?.['Queues'] as unknown[]).some((q) => resolve(q, queue.t) === queueUrl))
    .flatMap((r) => policyStatements(r));
  const request: Request = {
    principal: { service: 'sns.amazonaws.com' },
    action: 'sqs:SendMessage',
    resource: queueArn,
    context: { 'aws:SourceArn': topicArn, 'aws:SecureTransport': 'true' },
  };
  const verdict = evaluate(statements, request, queue.t);
  if (verdict !== 'allow') report(`topic ${topicArn} may not send to queue ${queue.id} (${verdict})`);
  if (queue.resource.Properties?.['KmsMasterKeyId'] !== undefined) {
    report(`queue ${queue.id} is encrypted with a KMS key: SNS needs that key's policy too (use SSE-SQS)`);
  }
}
