import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { EncryptedTopic } from '../../../../lib/constructs/encrypted-topic.ts';

describe('EncryptedTopic', () => {
  it('encrypts the topic with its own rotating key that CloudWatch alarms may use, and subscribes emails', () => {
    const stack = new Stack(new App(), 'S');
    new EncryptedTopic(stack, 'Ops', { displayName: 'ops', emails: ['oncall@example.com'] });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OpsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  }, 60_000); // the first synth in a process loads much of aws-cdk-lib

  it("lets only this account's canary alarms publish through CloudWatch, beside the SSL-only deny", () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    new EncryptedTopic(stack, 'Ops', { displayName: 'ops' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CanaryAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:eu-west-1:111111111111:alarm:RegistryCanary-*',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('encrypts with a key it is given instead of making one', () => {
    const stack = new Stack(new App(), 'S');
    const first = new EncryptedTopic(stack, 'A', { displayName: 'a' });
    new EncryptedTopic(stack, 'B', { displayName: 'b', key: first.key });
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });
});
