import { describe, expect, it } from 'vitest';
import { cliAuthFor, commandName, invocationOf, shellQuote } from '../../../functions/probe/invocation.ts';

describe('commandName', () => {
  it('says npx registry-canary when npm ran the tool (npx, npm exec)', () => {
    expect(commandName({ npm_command: 'exec' })).toBe('npx registry-canary');
  });

  it('says registry-canary otherwise', () => {
    expect(commandName({})).toBe('registry-canary');
    expect(commandName({ npm_command: 'run-script' })).toBe('registry-canary');
  });
});

describe('invocationOf', () => {
  it('spells the basic pair without a password, and quotes what the shell would split', () => {
    const invocation = invocationOf('registry-canary', {
      auth: { username: 'robot$ci' },
      caFile: '/etc/my certs/ca.pem',
    });

    expect(invocation.flags).toEqual([
      "--username 'robot$ci' --password-stdin",
      "--ca-file '/etc/my certs/ca.pem'",
    ]);
  });
});

describe('cliAuthFor', () => {
  it.each([
    [{ type: 'anonymous' } as const, 'anonymous'],
    [
      { type: 'ecr', region: 'eu-west-1', roleArn: 'arn:aws:iam::1:role/r' } as const,
      'ecr,region=eu-west-1,role=arn:aws:iam::1:role/r',
    ],
    [{ type: 'ecr-public', authenticated: true } as const, 'ecr-public,authenticated'],
    [{ type: 'google', secret: 's', mode: 'json-key' } as const, 'google-json-key=KEY.json'],
  ])('maps %o to --auth %s', (source, auth) => {
    expect(cliAuthFor(source)).toBe(auth);
  });

  it('names no secret for a basic target, only a USER placeholder', () => {
    expect(cliAuthFor({ type: 'basic', secret: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' })).toEqual({
      username: 'USER',
    });
  });
});

describe('shellQuote', () => {
  it("leaves plain words alone and single-quotes the rest, escaping '", () => {
    expect(shellQuote('linux/arm64')).toBe('linux/arm64');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
