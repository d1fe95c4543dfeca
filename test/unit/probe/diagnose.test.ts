import { describe, expect, it } from 'vitest';
import { CredentialsUnavailableError } from '../../../functions/credentials/types.ts';
import { DIAGNOSIS_CODES, type DiagnosisCode } from '../../../functions/probe/codes.ts';
import { classify, type DiagnoseContext, diagnose } from '../../../functions/probe/diagnose.ts';
import { nextStepsFor } from '../../../functions/probe/next-steps.ts';
import {
  AuthenticationError,
  ChallengeParseError,
  DigestMismatchError,
  PlatformMissingError,
  ProtocolError,
  RealmRefusedError,
  RegistryHttpError,
  TimeoutError,
  TokenServiceError,
  TransportError,
} from '../../../functions/registry/errors.ts';
import { profileForHost } from '../../../functions/registry/profiles.ts';

const ctx: DiagnoseContext = {
  registry: 'registry.example.com',
  repository: 'team/app',
  reference: 'v1',
  plainHttp: false,
  profile: profileForHost('registry.example.com'),
  runbookBaseUrl: 'https://runbooks.example/rb',
  credentialSource: 'basic',
  platforms: ['linux/amd64'],
};

function transport(code: string, proxy: string | null = null) {
  const cause = Object.assign(new Error(`boom ${code}`), { code });
  return new TransportError('ping', 'GET', 'https://registry.example.com/v2/', code, proxy, { cause });
}

function http(
  status: number,
  step: RegistryHttpError['step'] = 'manifest-head',
  errors: RegistryHttpError['errors'] = [],
  headers = {},
) {
  return new RegistryHttpError(
    step,
    'GET',
    'https://registry.example.com/v2/team/app/manifests/v1',
    status,
    errors,
    '',
    headers,
  );
}

describe('classify', () => {
  it.each<[string, DiagnosisCode]>([
    ['ENOTFOUND', 'DNS_FAILURE'],
    ['EAI_AGAIN', 'DNS_FAILURE'],
    ['ECONNREFUSED', 'CONNECTION_REFUSED'],
    ['ECONNRESET', 'CONNECTION_RESET'],
    ['UND_ERR_SOCKET', 'CONNECTION_RESET'],
    ['UND_ERR_CONNECT_TIMEOUT', 'TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'TIMEOUT'],
    ['CERT_HAS_EXPIRED', 'TLS_EXPIRED'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS_UNTRUSTED'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_UNTRUSTED'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS_UNTRUSTED'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_HOSTNAME_MISMATCH'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_ERROR'],
    ['EPROTO', 'TLS_ERROR'],
    ['HPE_INVALID_CONSTANT', 'PROTOCOL_ERROR'],
    ['UND_ERR_PRX_TLS', 'PROXY_ERROR'],
  ])('maps the transport code %s to %s', (code, expected) => {
    const c = classify(transport(code), ctx);
    expect(c.code).toBe(expected);
    expect(c.evidence).toContain(`errno: ${code}`);
  });

  it('blames the proxy for a connection failure through it, but not for the registry certificate', () => {
    expect(classify(transport('ECONNREFUSED', 'http://proxy:3128/'), ctx).code).toBe('PROXY_ERROR');
    expect(classify(transport('UND_ERR_ABORTED', 'http://proxy:3128/'), ctx).code).toBe('PROXY_ERROR');
    expect(classify(transport('CERT_HAS_EXPIRED', 'http://proxy:3128/'), ctx).code).toBe('TLS_EXPIRED');
  });

  it.each<[number, RegistryHttpError['step'], string | undefined, DiagnosisCode]>([
    [404, 'manifest-get', 'NAME_UNKNOWN', 'NAME_UNKNOWN'],
    [404, 'manifest-get', 'MANIFEST_UNKNOWN', 'MANIFEST_UNKNOWN'],
    [404, 'manifest-head', undefined, 'MANIFEST_UNKNOWN'],
    [404, 'blob-head', 'BLOB_UNKNOWN', 'BLOB_UNKNOWN'],
    [404, 'blob-head', undefined, 'BLOB_UNKNOWN'],
    [403, 'manifest-head', 'DENIED', 'DENIED'],
    [429, 'manifest-head', 'TOOMANYREQUESTS', 'RATE_LIMITED'],
    [500, 'manifest-head', undefined, 'REGISTRY_UNAVAILABLE'],
    [502, 'blob-redirect', undefined, 'REGISTRY_UNAVAILABLE'],
    [503, 'ping', 'UNAVAILABLE', 'REGISTRY_UNAVAILABLE'],
    [407, 'ping', undefined, 'PROXY_ERROR'],
    [400, 'manifest-head', 'NAME_INVALID', 'PROTOCOL_ERROR'],
    [405, 'manifest-head', 'UNSUPPORTED', 'PROTOCOL_ERROR'],
  ])('maps HTTP %i at %s (%s) to %s', (status, step, code, expected) => {
    const errors = code ? [{ code, message: 'm' }] : [];
    expect(classify(http(status, step, errors), ctx).code).toBe(expected);
  });

  it('puts Retry-After and the pull-limit message in the evidence of RATE_LIMITED', () => {
    const error = http(
      429,
      'manifest-head',
      [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }],
      {
        'retry-after': '3600',
      },
    );
    const c = classify(error, ctx);
    expect(c.summary).toContain('pull rate limit');
    expect(c.evidence).toContain('retry-after: 3600');
    expect(c.evidence).toContain('registry error: TOOMANYREQUESTS You have reached your pull rate limit.');
  });

  it('tells AUTH_REQUIRED from AUTH_FAILED by whether credentials were given', () => {
    expect(classify(new AuthenticationError('x', false, { cause: http(401) }), ctx).code).toBe(
      'AUTH_REQUIRED',
    );
    expect(classify(new AuthenticationError('x', true, { cause: http(401) }), ctx).code).toBe('AUTH_FAILED');
  });

  it.each<[unknown, DiagnosisCode]>([
    [new CredentialsUnavailableError('denied', 'AccessDeniedException'), 'CREDENTIALS_UNAVAILABLE'],
    [new RealmRefusedError('http://169.254.169.254/', 'metadata'), 'TOKEN_SERVICE_ERROR'],
    [new TokenServiceError('bad', 'https://auth.example/token', 502), 'TOKEN_SERVICE_ERROR'],
    [new TimeoutError('slow', 'manifest-head', 'deadline', 10_000), 'TIMEOUT'],
    [new PlatformMissingError(['linux/arm64'], ['linux/amd64']), 'PLATFORM_MISSING'],
    [new DigestMismatchError('u', 'sha256:a', 'sha256:b'), 'DIGEST_MISMATCH'],
    [new ChallengeParseError('Bearer x', 'bad'), 'PROTOCOL_ERROR'],
    [new ProtocolError('not a registry'), 'PROTOCOL_ERROR'],
    [new TypeError('Cannot read properties of undefined'), 'PROTOCOL_ERROR'],
    ['a thrown string', 'PROTOCOL_ERROR'],
  ])('maps %s to %s', (error, expected) => {
    expect(classify(error, ctx).code).toBe(expected);
  });

  it('keeps the provider code in the evidence of CREDENTIALS_UNAVAILABLE', () => {
    const c = classify(new CredentialsUnavailableError('denied', 'AccessDeniedException'), ctx);
    expect(c.evidence).toContain('providerCode: AccessDeniedException');
  });
});

describe('diagnose', () => {
  it('links the runbook page for the code under the configured base URL', () => {
    expect(diagnose(transport('ENOTFOUND'), ctx).runbook).toBe('https://runbooks.example/rb/DNS_FAILURE.md');
  });

  it('gives pasteable next steps for every diagnosis code', () => {
    for (const code of DIAGNOSIS_CODES) {
      const steps = nextStepsFor({ code }, ctx);
      expect(steps.length, code).toBeGreaterThan(0);
    }
  });

  it('suggests curl of /v2/ and openssl s_client where they confirm the diagnosis', () => {
    expect(nextStepsFor({ code: 'CONNECTION_REFUSED' }, ctx)).toContain(
      'curl -sI https://registry.example.com/v2/',
    );
    expect(nextStepsFor({ code: 'TLS_UNTRUSTED' }, ctx)[0]).toBe(
      'openssl s_client -connect registry.example.com:443 -servername registry.example.com -showcerts </dev/null',
    );
    expect(nextStepsFor({ code: 'MANIFEST_UNKNOWN' }, ctx)[0]).toBe(
      'skopeo list-tags docker://registry.example.com/team/app',
    );
  });

  it('appends the profile next steps after the generic ones', () => {
    const hub = {
      ...ctx,
      registry: 'registry-1.docker.io',
      repository: 'library/alpine',
      profile: profileForHost('registry-1.docker.io'),
    };
    const d = diagnose(http(429, 'manifest-head', [{ code: 'TOOMANYREQUESTS', message: 'x' }]), hub);
    expect(d.nextSteps.some((s) => s.includes('mirror.gcr.io'))).toBe(true);
  });
});

describe('authentication semantics (issue 10 item 4)', () => {
  const tokenLogin = { scheme: 'bearer' as const, credentialsGiven: true, tokenGranted: true, relogins: 0 };
  const unauthorized = () =>
    new AuthenticationError('x', true, {
      cause: http(401, 'manifest-get', [{ code: 'UNAUTHORIZED', message: 'authentication required' }]),
    });

  it('reads a 401 after the token service accepted the credentials as "missing or not yours", not a bad password', () => {
    const d = diagnose(unauthorized(), { ...ctx, login: tokenLogin });

    expect(d.code).toBe('DENIED');
    expect(d.summary).toContain('accepted the basic credentials, then refused team/app');
    expect(d.summary).toContain(
      'either the repository does not exist, or it exists and this identity may not see it',
    );
    expect(d.nextSteps[0]).toContain('skopeo list-tags docker://registry.example.com/team/app --creds OWNER');
  });

  it('keeps AUTH_FAILED for a 401 where no token was granted (Basic: the password itself was refused)', () => {
    const d = diagnose(unauthorized(), {
      ...ctx,
      login: { ...tokenLogin, scheme: 'basic', tokenGranted: false },
    });

    expect(d.code).toBe('AUTH_FAILED');
  });

  it('says the refusal survived the one fresh login', () => {
    const d = diagnose(unauthorized(), { ...ctx, login: { ...tokenLogin, relogins: 1 } });

    expect(d.evidence).toContain(
      'the registry refused a cached token; the client logged in again once and the fresh token was refused too',
    );
  });

  it('names an expired ECR token as expired, with the ECR login first', () => {
    const ecrHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const error = http(403, 'manifest-get', [
      { code: 'DENIED', message: 'Your authorization token has expired. Reauthenticate and try again.' },
    ]);
    const d = diagnose(error, {
      ...ctx,
      registry: ecrHost,
      profile: profileForHost(ecrHost),
      login: { scheme: 'basic', credentialsGiven: true, tokenGranted: false, relogins: 0 },
    });

    expect(d.code).toBe('AUTH_FAILED');
    expect(d.summary).toContain('refused the basic credentials as expired');
    expect(d.nextSteps[0]).toContain('has expired: log in again');
    expect(d.nextSteps.join('\n')).toContain('--auth ecr');
  });
});

describe('next steps that work when pasted (issue 10 item 6)', () => {
  const run = {
    ...ctx,
    invocation: {
      command: 'npx registry-canary',
      flags: [
        '--auth docker-config',
        '--platform linux/arm64',
        '--plain-http',
        '--ca-file ./corp-ca.pem',
        '--profile harbor',
      ],
    },
  };

  it("repeats the probe with the failing run's command and flags", () => {
    const d = diagnose(transport('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), run);

    expect(d.nextSteps).toContain(
      "npx registry-canary probe registry.example.com/team/app:v1 --auth docker-config --platform linux/arm64 --plain-http --profile harbor --ca-file /path/to/ca.pem   # when the registry uses a private CA; for a deployed canary, the file of the config's caBundle.path (or its caBundle.pem saved to a file)",
    );
    expect(d.nextSteps.join('\n')).toContain('-CAfile ./corp-ca.pem');
  });

  it('says registry-canary, not npx, when that is how it was run, and keeps curl on the same CA', () => {
    const d = diagnose(transport('ECONNRESET'), {
      ...ctx,
      invocation: { command: 'registry-canary', flags: ['--ca-file /etc/ca.pem'] },
    });

    expect(d.nextSteps[0]).toBe('curl -v --cacert /etc/ca.pem https://registry.example.com/v2/');
  });

  it('replaces the auth flags when a step names its own', () => {
    const d = diagnose(new AuthenticationError('x', false, { cause: http(401) }), run);

    expect(d.nextSteps).toContain(
      'echo "$PASSWORD" | npx registry-canary probe registry.example.com/team/app:v1 --platform linux/arm64 --plain-http --ca-file ./corp-ca.pem --profile harbor --username USER --password-stdin',
    );
  });

  it('never suggests an interactive docker login on ECR: the ECR steps replace the generic login', () => {
    const ecrHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const d = diagnose(new AuthenticationError('x', true, { cause: http(401) }), {
      ...ctx,
      registry: ecrHost,
      profile: profileForHost(ecrHost),
      login: { scheme: 'basic', credentialsGiven: true, tokenGranted: false, relogins: 0 },
    });

    expect(d.nextSteps[0]).toContain('--auth ecr');
    for (const step of d.nextSteps.filter((s) => s.includes('docker login'))) {
      expect(step).toContain('aws ecr get-login-password');
    }
  });

  it('rebuilds with every platform the image must keep, and pushes a tag, never a digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const d = diagnose(new PlatformMissingError(['linux/arm64'], ['linux/amd64', 'linux/s390x']), {
      ...ctx,
      reference: digest,
      platforms: ['linux/amd64', 'linux/arm64'],
    });

    const rebuild = d.nextSteps.find((s) => s.includes('buildx'));
    expect(rebuild).toBe(
      'Rebuild with every platform the image must keep: docker buildx build --platform linux/amd64,linux/s390x,linux/arm64 --push -t registry.example.com/team/app:<tag> .',
    );
    expect(d.nextSteps.filter((s) => s.includes('--push')).join('\n')).not.toContain('@sha256');
    expect(d.nextSteps.join('\n')).toContain('cannot be pushed to');
  });

  it('pushes the probed tag when the probe named a tag', () => {
    const d = diagnose(new PlatformMissingError(['linux/arm64'], ['linux/amd64']), ctx);

    expect(d.nextSteps.find((s) => s.includes('buildx'))).toContain(
      '--push -t registry.example.com/team/app:v1 .',
    );
  });

  it.each([
    ['ENOENT', 'docker-config', /log in to create it, docker login registry\.example\.com/],
    ['ENOENT', 'docker-config', /--auth anonymous/],
    ['InvalidDockerConfig', 'docker-config', /jq \. "\$\{DOCKER_CONFIG:-\$HOME\/\.docker\}\/config\.json"/],
    ['CredentialHelperNotSupported', 'docker-config', /docker-credential-<helper> get/],
    ['ExpiredTokenException', 'ecr', /aws sts get-caller-identity/],
    ['CredentialsProviderError', 'ecr', /aws sso login/],
    ['AccessDeniedException', 'basic', /secretsmanager:GetSecretValue/],
    ['ResourceNotFoundException', 'basic', /aws secretsmanager describe-secret/],
  ])('fits CREDENTIALS_UNAVAILABLE advice to %s from %s', (providerCode, source, step) => {
    const d = diagnose(new CredentialsUnavailableError('nope', providerCode), {
      ...ctx,
      credentialSource: source,
    });

    expect(d.nextSteps.join('\n')).toMatch(step);
  });
});

describe('AUTH_REQUIRED from the docker config', () => {
  it('says the config had no entry for the host when the docker-config source went anonymous', () => {
    const d = diagnose(new AuthenticationError('x', false, { cause: http(401) }), {
      ...ctx,
      credentialSource: 'docker-config',
    });

    expect(d.nextSteps[0]).toContain('The docker config has no auths entry for registry.example.com');
  });

  it('does not blame the docker config for an anonymous run', () => {
    const d = diagnose(new AuthenticationError('x', false, { cause: http(401) }), {
      ...ctx,
      credentialSource: 'anonymous',
    });

    expect(d.nextSteps.join('\n')).not.toContain('docker config');
  });
});
