/**
 * Which answers a forward proxy wrote itself (proxy-answer.ts), and how undici 7 reports the
 * refusals it turns into errors. Header captures: mozilla/identity-ops#34 and sipgate/sipgate.io#35
 * (Squid's ERR_ACCESS_DENIED page); RFC 9209 section 2.1.1 (Proxy-Status `error`). undici:
 * node_modules/undici/lib/dispatcher/proxy-agent.js:57-63 and 196-200.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../../functions/probe/diagnose.ts';
import { nextStepsFor } from '../../../functions/probe/next-steps.ts';
import { ProxyRefusedError, TransportError } from '../../../functions/registry/errors.ts';
import {
  proxyAnswerSignature,
  refusedConnectStatus,
  refusedForwardStatus,
} from '../../../functions/registry/proxy-answer.ts';

describe('proxyAnswerSignature', () => {
  it("recognises Squid's error page by X-Squid-Error and by its Server header", () => {
    expect(proxyAnswerSignature({ 'x-squid-error': 'ERR_ACCESS_DENIED 0' })?.writer).toBe('Squid');
    expect(proxyAnswerSignature({ server: 'squid/3.1.10' })?.writer).toBe('Squid');
  });

  it('recognises an RFC 9209 Proxy-Status with an error parameter, and only with one', () => {
    expect(
      proxyAnswerSignature({ 'proxy-status': 'ExampleProxy; error=http_request_denied' }),
    ).not.toBeNull();
    expect(proxyAnswerSignature({ 'proxy-status': 'ExampleProxy; received-status=403' })).toBeNull();
  });

  it('does not take a forwarded answer (Via, the origin Server) for the proxy’s own', () => {
    expect(proxyAnswerSignature({ via: '1.1 localhost (squid/3.1.10)', server: 'nginx' })).toBeNull();
    expect(proxyAnswerSignature({ server: 'squidward-registry' })).toBeNull();
    expect(proxyAnswerSignature({})).toBeNull();
  });
});

describe("undici's proxy refusals", () => {
  it('reads the status of a refused CONNECT and of a plain-HTTP 407, wherever the error is wrapped', () => {
    const connect = Object.assign(new Error('Proxy response (403) !== 200 when HTTP Tunneling'), {
      code: 'UND_ERR_ABORTED',
    });
    expect(refusedConnectStatus(connect)).toBe(403);
    expect(refusedConnectStatus(new Error('wrapped', { cause: connect }))).toBe(403);
    expect(refusedForwardStatus(new Error('Proxy Authentication Required (407)'))).toBe(407);
    expect(refusedConnectStatus(new Error('Request aborted'))).toBeNull();
    expect(refusedForwardStatus(connect)).toBeNull();
  });
});

describe('classifying a proxy failure', () => {
  const ctx = {
    registry: 'registry.example.com',
    repository: 'team/app',
    reference: 'v1',
    plainHttp: false,
    platforms: [],
    credentialSource: 'anonymous',
  };
  const refusal = (status: number) =>
    new ProxyRefusedError(
      'ping',
      'GET https://registry.example.com/v2/',
      'http://proxy.corp:3128/',
      'registry.example.com:443',
      status,
      'connect',
      ['e'],
    );

  it.each([
    [403, 'refused', "The proxy's access rules refuse registry.example.com:443"],
    [407, 'auth', 'http://USER:PASSWORD@proxy.corp:3128'],
    [502, 'upstream', 'The proxy could not reach registry.example.com:443'],
    [503, 'upstream', 'The proxy could not reach registry.example.com:443'],
    [504, 'upstream', 'The proxy could not reach registry.example.com:443'],
    [400, 'other', 'env | grep -i _proxy'],
  ] as const)('a proxy %i is PROXY_ERROR (%s), with steps for the proxy', (status, failure, step) => {
    const c = classify(refusal(status), ctx);
    expect(c.code).toBe('PROXY_ERROR');
    expect(c.facts?.proxy).toMatchObject({ failure, status, hostname: 'proxy.corp', port: '3128' });
    expect(c.summary).toContain('http://proxy.corp:3128/');
    expect(nextStepsFor(c, ctx).join('\n')).toContain(step);
  });

  it.each([
    ['ENOTFOUND', 'unresolved', "The proxy's host name proxy.corp does not resolve"],
    ['EAI_AGAIN', 'unresolved', "The proxy's host name proxy.corp does not resolve"],
    ['ECONNREFUSED', 'unreachable', 'Nothing accepts connections at the proxy'],
    ['ECONNRESET', 'broken', 'The connection through the proxy'],
    ['UND_ERR_CONNECT_TIMEOUT', 'broken', 'No answer in time through the proxy'],
  ] as const)('a %s through a proxy names the hop (%s)', (code, failure, summary) => {
    const cause = Object.assign(new Error(code), { code });
    const error = new TransportError(
      'ping',
      'GET',
      'https://registry.example.com/v2/',
      code,
      'http://proxy.corp:3128/',
      { cause },
    );
    const c = classify(error, ctx);
    expect(c.code).toBe('PROXY_ERROR');
    expect(c.summary).toContain(summary);
    expect(c.facts?.proxy?.failure).toBe(failure);
    expect(c.evidence).toContain('proxy: http://proxy.corp:3128/');
  });

  it('keeps a direct DNS failure about the registry', () => {
    const cause = Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    const error = new TransportError('ping', 'GET', 'https://registry.example.com/v2/', 'ENOTFOUND', null, {
      cause,
    });
    expect(classify(error, ctx)).toMatchObject({ code: 'DNS_FAILURE' });
  });
});
