/**
 * The dialect rules read the real captures (test/integration/harness/captures, each citing its
 * source) the way the probe reads a refused answer; the integration suite replays the same
 * captures in front of the real registry.
 */
import { describe, expect, it } from 'vitest';
import {
  challengeError,
  isHtml,
  type LoginState,
  type RegistryAnswer,
} from '../../../functions/registry/dialect.ts';
import { profileForHost, type RegistryProfileName } from '../../../functions/registry/profiles.ts';
import { parseErrorBody } from '../../../functions/registry/registry-client.ts';
import {
  ARTIFACT_REGISTRY_DENIED_OR_MISSING,
  type Capture,
  DOCKER_HUB_INSUFFICIENT_SCOPE,
  ECR_EXPIRED_TOKEN,
  ECR_PUBLIC_INVALID_TOKEN,
  filledResponse,
  GHCR_FORBIDDEN_AFTER_TOKEN,
  HARBOR_BLOB_NOT_FOUND,
  HARBOR_REPOSITORY_NOT_FOUND,
  NEXUS_HTML_404,
  QUAY_NOT_AUTHORIZED,
} from '../../integration/harness/captures/index.ts';

const anonymousToken: LoginState = {
  scheme: 'bearer',
  credentialsGiven: false,
  tokenGranted: true,
  relogins: 0,
};
const noToken: LoginState = { scheme: 'none', credentialsGiven: false, tokenGranted: false, relogins: 0 };

function answerOf(capture: Capture): RegistryAnswer {
  const response = filledResponse(capture, {
    realm: 'https://auth.example/token',
    service: 'svc',
    repository: 'team/app',
  });
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    errors: parseErrorBody(response.body),
  };
}

function explain(capture: Capture, profile: RegistryProfileName = capture.family, login = anonymousToken) {
  return profileForHost('registry.example.com', profile).explain(answerOf(capture), login)?.meaning ?? null;
}

describe('dialect rules on real captures', () => {
  it.each([
    [DOCKER_HUB_INSUFFICIENT_SCOPE, 'missing-or-not-visible'],
    [ECR_EXPIRED_TOKEN, 'token-expired'],
    [ECR_PUBLIC_INVALID_TOKEN, 'token-invalid'],
    [ARTIFACT_REGISTRY_DENIED_OR_MISSING, 'missing-or-not-visible'],
    [GHCR_FORBIDDEN_AFTER_TOKEN, 'missing-or-not-visible'],
    [QUAY_NOT_AUTHORIZED, 'missing-or-not-visible'],
    [HARBOR_REPOSITORY_NOT_FOUND, 'repository-missing'],
    [HARBOR_BLOB_NOT_FOUND, 'blob-missing'],
    [NEXUS_HTML_404, 'not-registry'],
  ] as const)('reads %s', (capture, meaning) => {
    expect(explain(capture)).toBe(meaning);
  });

  it.each([
    ECR_EXPIRED_TOKEN,
    ECR_PUBLIC_INVALID_TOKEN,
    HARBOR_REPOSITORY_NOT_FOUND,
    ARTIFACT_REGISTRY_DENIED_OR_MISSING,
  ])('leaves $name to the spec codes under the generic profile (no token granted)', (capture) => {
    expect(explain(capture, 'generic', noToken)).toBeNull();
    expect(explain(capture, capture.family, noToken)).not.toBeNull();
  });

  it('reads a Harbor NOT_FOUND on a manifest that names no repository or blob as the tag', () => {
    const answer: RegistryAnswer = {
      status: 404,
      headers: {},
      body: '',
      errors: [{ code: 'NOT_FOUND', message: 'artifact library/app:v9 not found' }],
    };
    expect(profileForHost('h', 'harbor').explain(answer, anonymousToken)?.meaning).toBe('tag-missing');
  });

  it('reads a 403 on GHCR as "missing or not visible" only after a token was granted', () => {
    expect(explain(GHCR_FORBIDDEN_AFTER_TOKEN, 'ghcr', noToken)).toBeNull();
  });

  it('reads a 401 or 403 after a granted token as "missing or not visible" in every family', () => {
    for (const capture of [GHCR_FORBIDDEN_AFTER_TOKEN, QUAY_NOT_AUTHORIZED, DOCKER_HUB_INSUFFICIENT_SCOPE]) {
      expect(explain(capture, 'generic')).toBe('missing-or-not-visible');
    }
  });

  it("reads Quay's message as 'missing or not visible' even without a granted token, which the generic profile does not", () => {
    const answer = { ...answerOf(QUAY_NOT_AUTHORIZED), headers: {} };
    expect(profileForHost('quay.io').explain(answer, noToken)?.meaning).toBe('missing-or-not-visible');
    expect(profileForHost('registry.example.com').explain(answer, noToken)).toBeNull();
  });

  it('does not read a 401 without a granted token (Basic, or the token service) as "missing"', () => {
    const basic: LoginState = { scheme: 'basic', credentialsGiven: true, tokenGranted: false, relogins: 0 };
    const answer: RegistryAnswer = {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="registry"' },
      body: '',
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
    };
    expect(profileForHost('registry.example.com').explain(answer, basic)).toBeNull();
  });

  it('reads a 401 on Docker Hub without insufficient_scope as missing only after a token', () => {
    const answer = { ...answerOf(DOCKER_HUB_INSUFFICIENT_SCOPE), headers: {} };
    const hub = profileForHost('registry-1.docker.io');
    expect(hub.explain(answer, noToken)).toBeNull();
    expect(hub.explain(answer, anonymousToken)?.meaning).toBe('missing-or-not-visible');
  });

  it('reads insufficient_scope as "missing or not visible" whatever the login', () => {
    expect(explain(DOCKER_HUB_INSUFFICIENT_SCOPE, 'generic', noToken)).toBe('missing-or-not-visible');
  });

  it('does not take an ECR 403 that is not about the token for an expired token', () => {
    const answer: RegistryAnswer = {
      status: 403,
      headers: {},
      body: '',
      errors: [
        {
          code: 'DENIED',
          message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:BatchGetImage',
        },
      ],
    };
    expect(
      profileForHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com').explain(answer, null)?.meaning,
    ).toBe('denied');
  });
});

describe('challengeError', () => {
  it('reads the error parameter of a Bearer challenge', () => {
    expect(
      challengeError({ 'www-authenticate': 'Bearer realm="https://a/t",error="insufficient_scope"' }),
    ).toBe('insufficient_scope');
  });

  it.each<Record<string, string>>([
    {},
    { 'www-authenticate': 'Basic realm="x"' },
    { 'www-authenticate': 'Bearer realm="x' },
  ])('is null without a Bearer error (%o)', (headers) => {
    expect(challengeError(headers)).toBeNull();
  });
});

describe('isHtml', () => {
  it('takes a text/html answer without registry errors for a web page', () => {
    expect(
      isHtml({ errors: [], body: 'Not Found', headers: { 'content-type': 'text/html; charset=utf-8' } }),
    ).toBe(true);
  });

  it('takes an HTML document for a web page whatever its content type', () => {
    expect(isHtml({ errors: [], body: '  <!DOCTYPE html><html>', headers: {} })).toBe(true);
  });

  it('never takes an answer with registry errors for a web page', () => {
    expect(
      isHtml({
        errors: [{ code: 'MANIFEST_UNKNOWN', message: '' }],
        body: '{}',
        headers: { 'content-type': 'text/html' },
      }),
    ).toBe(false);
  });

  it('does not take an empty 404 (a HEAD, or a registry without a body) for a web page', () => {
    expect(isHtml({ errors: [], body: '', headers: {} })).toBe(false);
  });
});
