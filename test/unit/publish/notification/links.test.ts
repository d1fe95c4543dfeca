import { describe, expect, it } from 'vitest';
import {
  alarmConsoleUrl,
  decodeLogsInsightsDetail,
  failingRunsQuery,
  logGroupUrl,
  logsInsightsUrl,
} from '../../../../functions/publish/notification/links.ts';
import { fitTitle, MAX_TITLE_CHARS } from '../../../../functions/publish/notification/model.ts';
import { renderSms } from '../../../../functions/publish/notification/short-text.ts';
import { alert } from './alert-fixtures.ts';

describe('console links', () => {
  it('writes a Logs Insights link whose query detail decodes back to the query and the probe log group', () => {
    const query = failingRunsQuery(["it's", 'b']);
    const url = logsInsightsUrl('eu-west-1', query);

    expect(
      url.startsWith(
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D',
      ),
    ).toBe(true);
    // Only characters the console's fragment format uses: no raw %, space or quote.
    expect(url).not.toMatch(/[% "]/);
    const detail = decodeLogsInsightsDetail(url);
    const editor = /editorString~'([^~]*)~/.exec(detail)?.[1] ?? '';
    expect(decodeURIComponent(editor.replaceAll('*', '%'))).toBe(query);
    expect(query).toContain("target in ['it\\'s', 'b']");
    expect(detail).toContain("~source~(~'*2Fregistry-canary*2Fprobe))");
    expect(detail).toContain("~start~-10800~timeType~'RELATIVE~unit~'seconds");
  });

  it('links an alarm in its own region and partition, from its ARN', () => {
    expect(
      alarmConsoleUrl(
        'arn:aws:cloudwatch:us-east-1:123456789012:alarm:RegistryCanary-a-FailingInAnyRegion',
        'eu-west-1',
      ),
    ).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/RegistryCanary-a-FailingInAnyRegion',
    );
    expect(alarmConsoleUrl('arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:x', 'eu-west-1')).toContain(
      'https://cn-north-1.console.amazonaws.cn/',
    );
  });

  it('double-encodes the log group name as the console does', () => {
    expect(logGroupUrl('eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fregistry-canary$252Fprobe',
    );
  });
});

describe('titles', () => {
  it('keeps status, code and scope and cuts the registry host to fit under 100 characters', () => {
    const head = 'FAILING AUTH_FAILED in eu-west-1';
    const title = fitTitle(head, `${'a'.repeat(120)}.dkr.ecr.eu-west-1.amazonaws.com (1 target)`);
    expect(title.length).toBe(MAX_TITLE_CHARS);
    expect(title.startsWith(`${head}: aaaa`)).toBe(true);
    expect(title.endsWith('...')).toBe(true);
  });

  it('leaves a title that fits alone, and makes it ASCII for the email subject', () => {
    expect(fitTitle('FAILING TIMEOUT in all 3 regions', 'réseau.example (2 targets)')).toBe(
      'FAILING TIMEOUT in all 3 regions: r?seau.example (2 targets)',
    );
  });

  it('sends SMS one message: the title, and the owner only when it still fits in 140', () => {
    expect(
      renderSms(
        alert([], { title: 'FAILING TIMEOUT in eu-west-1: ghcr.io (1 target)', owners: ['payments'] }),
      ),
    ).toBe('FAILING TIMEOUT in eu-west-1: ghcr.io (1 target) Owner: payments');
    const long = 'x'.repeat(99);
    expect(
      renderSms(alert([], { title: long, owners: ['a-team-with-a-name-long-enough-to-pass-one-sms'] })),
    ).toBe(long);
  });
});
