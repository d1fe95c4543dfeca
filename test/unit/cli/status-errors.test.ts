import { describe, expect, it } from 'vitest';
import { formatAge, readError } from '../../../bin/commands/status.ts';

const awsError = (name: string) => Object.assign(new Error(`${name} from AWS`), { name });

describe('status: what to fix when the state of record cannot be read', () => {
  it('says a region not enabled or expired credentials when AWS does not recognise them there', () => {
    const error = readError(awsError('UnrecognizedClientException'), 'registry-canary-state', 'ap-east-1');

    expect(error.message).toContain(
      'AWS refused your credentials in ap-east-1 (UnrecognizedClientException)',
    );
    expect(error.message).toContain('ap-east-1 is not enabled for the account');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('names the permission and the table ARN on AccessDeniedException', () => {
    const error = readError(awsError('AccessDeniedException'), 'registry-canary-state', 'eu-west-1');

    expect(error.message).toContain(
      'need dynamodb:Query on arn:aws:dynamodb:eu-west-1:<account>:table/registry-canary-state',
    );
  });

  it('keeps the message of an error it has no advice for', () => {
    expect(readError(awsError('ThrottlingException'), 't', 'eu-west-1').message).toBe(
      "reading the state table t in eu-west-1 (the config's homeRegion) failed: ThrottlingException ThrottlingException from AWS",
    );
  });
});

describe('formatAge', () => {
  it.each([
    [59_400, '59 s'],
    [60_000, '1 min'],
    [59 * 60_000, '59 min'],
    [60 * 60_000, '1 h'],
    [125 * 60_000, '2 h 5 min'],
    [48 * 3_600_000, '2 d'],
    [52 * 3_600_000, '2 d 4 h'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
