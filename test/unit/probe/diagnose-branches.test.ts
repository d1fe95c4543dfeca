// Every branch of classify by everything it produces: the code, the summary that names the cause,
// the evidence, and the facts the next steps are built from. A branch that returns the right code
// for the wrong reason, or loses its evidence, fails here.
import { describe, expect, it } from 'vitest';
import { CredentialsUnavailableError } from '../../../functions/credentials/types.ts';
import type { DiagnosisCode } from '../../../functions/probe/codes.ts';
import {
  type Classification,
  classify,
  type DiagnoseContext,
  diagnose,
} from '../../../functions/probe/diagnose.ts';
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
  credentialSource: 'secrets-manager',
  platforms: ['linux/amd64'],
};

const MANIFEST_URL = 'https://registry.example.com/v2/team/app/manifests/v1';

function http(
  status: number,
  options: {
    step?: RegistryHttpError['step'];
    errors?: RegistryHttpError['errors'];
    headers?: Record<string, string>;
    body?: string;
  } = {},
) {
  return new RegistryHttpError(
    options.step ?? 'manifest-head',
    'GET',
    MANIFEST_URL,
    status,
    options.errors ?? [],
    options.body ?? '',
    options.headers ?? {},
  );
}

const httpEvidence = (status: number, step = 'manifest-head') => [
  `step: ${step}`,
  `GET ${MANIFEST_URL}`,
  `status: ${status}`,
];

function transport(code: string, options: { proxy?: string; cause?: unknown; url?: string } = {}) {
  const cause = options.cause ?? Object.assign(new Error(`connect ${code}`), { code });
  return new TransportError(
    'ping',
    'GET',
    options.url ?? 'https://registry.example.com:5000/v2/',
    code,
    options.proxy ?? null,
    { cause },
  );
}

describe('classify: credentials and tokens', () => {
  it('names the source, the registry and the provider code when credentials cannot be had', () => {
    const error = new CredentialsUnavailableError('AccessDenied for secret x', 'AccessDeniedException', {
      cause: new Error('403 from Secrets Manager'),
    });
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'CREDENTIALS_UNAVAILABLE',
      summary:
        'The secrets-manager credentials for registry.example.com could not be obtained: AccessDenied for secret x',
      evidence: [
        'credential source: secrets-manager',
        'providerCode: AccessDeniedException',
        'cause: 403 from Secrets Manager',
      ],
      // The next steps fit the source by its provider code (next-steps.ts).
      facts: { providerCode: 'AccessDeniedException' },
    });
  });

  it('says "(none)" for a provider without an error code, and a non-Error cause as text', () => {
    const error = new CredentialsUnavailableError('no file', undefined, { cause: 'ENOENT' });
    expect(classify(error, ctx).evidence).toEqual([
      'credential source: secrets-manager',
      'providerCode: (none)',
      'cause: ENOENT',
    ]);
  });

  it('reports a refused realm as a token service problem, with the realm as a fact', () => {
    const error = new RealmRefusedError('http://169.254.169.254/latest', 'points at the metadata service');
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'TOKEN_SERVICE_ERROR',
      summary:
        'The probe refused the token realm http://169.254.169.254/latest that registry.example.com named; no request was sent to it.',
      evidence: ['realm: http://169.254.169.254/latest', 'refused: points at the metadata service'],
      facts: { realm: 'http://169.254.169.254/latest' },
    });
  });

  it('gives a failing token service its status and the HTTP evidence of its answer', () => {
    const cause = http(502, { step: 'token', body: '<html>Bad Gateway</html>' });
    const error = new TokenServiceError(
      'the token service answered 502',
      'https://auth.example.com/token',
      502,
      {
        cause,
      },
    );
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'TOKEN_SERVICE_ERROR',
      summary: 'The token service https://auth.example.com/token failed: the token service answered 502.',
      evidence: [
        'realm: https://auth.example.com/token',
        'status: 502',
        ...httpEvidence(502, 'token'),
        'body: <html>Bad Gateway</html>',
      ],
      facts: { realm: 'https://auth.example.com/token' },
    });
  });

  it('gives a token service that sent no answer no status, and its cause', () => {
    const error = new TokenServiceError('GET x: socket hang up', 'https://auth.example.com/token', null, {
      cause: new Error('socket hang up'),
    });
    expect(classify(error, ctx).evidence).toEqual([
      'realm: https://auth.example.com/token',
      'cause: socket hang up',
    ]);
  });

  it('tells AUTH_FAILED by the credentials given, naming their source and the step', () => {
    const error = new AuthenticationError('rejected', true, { cause: http(401, { step: 'ping' }) });
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'AUTH_FAILED',
      summary: 'registry.example.com rejected the secrets-manager credentials (401 at ping).',
      evidence: ['credential source: secrets-manager', ...httpEvidence(401, 'ping')],
    });
  });

  it('tells AUTH_REQUIRED when no credentials were given, and says a missing repository looks the same', () => {
    const error = new AuthenticationError('required', false, { cause: http(401) });
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'AUTH_REQUIRED',
      summary:
        'registry.example.com requires authentication (401 at manifest-head) and the probe had no credentials; a repository that does not exist often answers the same way.',
      evidence: ['credential source: secrets-manager', ...httpEvidence(401)],
    });
  });
});

describe('classify: HTTP answers', () => {
  it('recognises the pull rate limit from the error message (Docker Hub)', () => {
    const error = http(429, {
      errors: [
        { code: 'TOOMANYREQUESTS', message: 'You have reached your unauthenticated pull rate limit.' },
      ],
    });
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'RATE_LIMITED',
      summary: 'registry.example.com refused the pull: the pull rate limit is used up (429).',
      evidence: [
        ...httpEvidence(429),
        'registry error: TOOMANYREQUESTS You have reached your unauthenticated pull rate limit.',
      ],
      facts: {},
    });
  });

  it('recognises the pull rate limit from a body that is not the registry error format', () => {
    const error = http(429, { body: 'Pull Rate Limit exceeded' });
    expect(classify(error, ctx).summary).toBe(
      'registry.example.com refused the pull: the pull rate limit is used up (429).',
    );
  });

  it('reports another 429 with its Retry-After, as a fact for the next steps', () => {
    const error = http(429, { headers: { 'retry-after': '30' } });
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'RATE_LIMITED',
      summary: 'registry.example.com is rate limiting this client (429); retry after 30 s.',
      evidence: [...httpEvidence(429), 'retry-after: 30'],
      facts: { retryAfter: '30' },
    });
  });

  it('reports a 429 without Retry-After without a wait', () => {
    expect(classify(http(429), ctx)).toMatchObject({
      summary: 'registry.example.com is rate limiting this client (429).',
      facts: {},
    });
  });

  it('takes the TOOMANYREQUESTS code as a rate limit whatever the status', () => {
    expect(classify(http(503, { errors: [{ code: 'toomanyrequests', message: '' }] }), ctx).code).toBe(
      'RATE_LIMITED',
    );
  });

  it('reports 403 as DENIED, and the DENIED code with another status too', () => {
    expect(classify(http(403), ctx)).toEqual<Classification>({
      code: 'DENIED',
      summary: `GET ${MANIFEST_URL} was denied (403): the identity may not pull this repository.`,
      evidence: httpEvidence(403),
    });
    expect(classify(http(400, { errors: [{ code: 'DENIED', message: 'no' }] }), ctx).code).toBe('DENIED');
  });

  it('blames the proxy for 407', () => {
    expect(classify(http(407), ctx)).toEqual<Classification>({
      code: 'PROXY_ERROR',
      summary: `The proxy requires authentication (407) for GET ${MANIFEST_URL}.`,
      evidence: httpEvidence(407),
    });
  });

  it.each<[string, DiagnosisCode, string]>([
    [
      'NAME_UNKNOWN',
      'NAME_UNKNOWN',
      'The repository does not exist on registry.example.com (404 NAME_UNKNOWN).',
    ],
    [
      'MANIFEST_UNKNOWN',
      'MANIFEST_UNKNOWN',
      'The tag or digest does not exist in the repository (404 MANIFEST_UNKNOWN).',
    ],
    [
      'BLOB_UNKNOWN',
      'BLOB_UNKNOWN',
      'A blob the manifest references is missing (404 BLOB_UNKNOWN): the image is broken in the registry.',
    ],
  ])('reads the 404 code %s before the step', (registryCode, code, summary) => {
    // At the ping step, so that only the registry's code can have decided.
    const error = http(404, { step: 'ping', errors: [{ code: registryCode, message: 'm' }] });
    expect(classify(error, ctx)).toEqual<Classification>({
      code,
      summary,
      evidence: [...httpEvidence(404, 'ping'), `registry error: ${registryCode} m`],
    });
  });

  it.each<[RegistryHttpError['step'], DiagnosisCode, string]>([
    ['manifest-head', 'MANIFEST_UNKNOWN', 'The tag or digest does not exist in the repository (404).'],
    ['manifest-get', 'MANIFEST_UNKNOWN', 'The tag or digest does not exist in the repository (404).'],
    ['platform-manifest', 'MANIFEST_UNKNOWN', 'The tag or digest does not exist in the repository (404).'],
    [
      'blob-head',
      'BLOB_UNKNOWN',
      'A blob the manifest references is missing (404): the image is broken in the registry.',
    ],
    [
      'blob-redirect',
      'BLOB_UNKNOWN',
      'A blob the manifest references is missing (404): the image is broken in the registry.',
    ],
    [
      'blob-get',
      'BLOB_UNKNOWN',
      'A blob the manifest references is missing (404): the image is broken in the registry.',
    ],
    [
      'config-get',
      'BLOB_UNKNOWN',
      'A blob the manifest references is missing (404): the image is broken in the registry.',
    ],
  ])('reads a 404 without a code at %s from the step', (step, code, summary) => {
    expect(classify(http(404, { step }), ctx)).toEqual<Classification>({
      code,
      summary,
      evidence: httpEvidence(404, step),
    });
  });

  it('falls back to the step for a 404 code the probe does not know', () => {
    const error = http(404, { step: 'manifest-get', errors: [{ code: 'NOT_FOUND', message: '' }] });
    expect(classify(error, ctx)).toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      summary: 'The tag or digest does not exist in the repository (404 NOT_FOUND).',
    });
  });

  it.each<RegistryHttpError['step']>(['ping', 'token', 'tags-list'])(
    'calls a 404 at %s a protocol error: no registry answers so there',
    (step) => {
      expect(classify(http(404, { step }), ctx)).toEqual<Classification>({
        code: 'PROTOCOL_ERROR',
        summary: `GET ${MANIFEST_URL} answered 404 where a registry would not.`,
        evidence: httpEvidence(404, step),
      });
    },
  );

  it.each([500, 502, 503, 599])('reports %i as REGISTRY_UNAVAILABLE at its step', (status) => {
    expect(classify(http(status, { step: 'blob-get' }), ctx)).toEqual<Classification>({
      code: 'REGISTRY_UNAVAILABLE',
      summary: `registry.example.com answered ${status} at blob-get: the service is failing.`,
      evidence: httpEvidence(status, 'blob-get'),
    });
  });

  it('reports 408 as a timeout of the server waiting for the request', () => {
    expect(classify(http(408), ctx)).toEqual<Classification>({
      code: 'TIMEOUT',
      summary: `GET ${MANIFEST_URL} answered 408: the server timed out waiting for the request.`,
      evidence: httpEvidence(408),
    });
  });

  it.each([400, 405, 409, 499])(
    'calls %i a protocol error, with the registry code when there is one',
    (status) => {
      expect(classify(http(status), ctx)).toEqual<Classification>({
        code: 'PROTOCOL_ERROR',
        summary: `GET ${MANIFEST_URL} answered ${status}, which the pull path cannot continue from.`,
        evidence: httpEvidence(status),
      });
      expect(classify(http(status, { errors: [{ code: 'unsupported', message: '' }] }), ctx).summary).toBe(
        `GET ${MANIFEST_URL} answered ${status} UNSUPPORTED, which the pull path cannot continue from.`,
      );
    },
  );
});

describe('classify: HTTP evidence', () => {
  it('lists every registry error, then every kept header', () => {
    const error = http(400, {
      errors: [
        { code: 'MANIFEST_INVALID', message: 'bad schema' },
        { code: 'UNSUPPORTED', message: '' },
      ],
      headers: { 'content-type': 'application/json', server: 'nginx' },
      body: '{"errors":[...]}',
    });
    expect(classify(error, ctx).evidence).toEqual([
      ...httpEvidence(400),
      'registry error: MANIFEST_INVALID bad schema',
      'registry error: UNSUPPORTED',
      'content-type: application/json',
      'server: nginx',
    ]);
  });

  it('quotes a body that is not the registry error format, whitespace collapsed', () => {
    expect(classify(http(400, { body: '  <h1>Bad\n\n  Request</h1>\t ' }), ctx).evidence).toEqual([
      ...httpEvidence(400),
      'body: <h1>Bad Request</h1>',
    ]);
  });

  it('cuts a long body at 300 characters and marks the cut', () => {
    const body = 'x'.repeat(301);
    expect(classify(http(400, { body }), ctx).evidence.at(-1)).toBe(`body: ${'x'.repeat(300)}…`);
    expect(classify(http(400, { body: 'y'.repeat(300) }), ctx).evidence.at(-1)).toBe(
      `body: ${'y'.repeat(300)}`,
    );
  });

  it('quotes no blank body', () => {
    expect(classify(http(400, { body: ' \n\t ' }), ctx).evidence).toEqual(httpEvidence(400));
  });
});

describe('classify: timeouts', () => {
  it('names the step and the overall deadline', () => {
    const error = new TimeoutError(
      'GET x: the probe deadline passed while connecting',
      'manifest-get',
      'deadline',
      30_000,
    );
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'TIMEOUT',
      summary: 'GET x: the probe deadline passed while connecting.',
      evidence: ['step: manifest-get', 'overall deadline: 30000 ms'],
    });
  });

  it('names a request timeout, and no step when there was none', () => {
    const error = new TimeoutError('credentials: no answer within 2000 ms', null, 'request', 2000);
    expect(classify(error, ctx).evidence).toEqual(['request timeout: 2000 ms']);
  });
});

describe('classify: transport errors', () => {
  const evidence = (code: string, extra: string[] = []) => [
    'step: ping',
    'url: https://registry.example.com:5000/v2/',
    `errno: ${code}`,
    `error: connect ${code}`,
    ...extra,
  ];

  it.each<[string, DiagnosisCode, string]>([
    ['EAI_FAIL', 'DNS_FAILURE', 'The name registry.example.com does not resolve (EAI_FAIL).'],
    ['EAI_NONAME', 'DNS_FAILURE', 'The name registry.example.com does not resolve (EAI_NONAME).'],
    ['EAI_NODATA', 'DNS_FAILURE', 'The name registry.example.com does not resolve (EAI_NODATA).'],
    ['EAI_SERVICE', 'DNS_FAILURE', 'The name registry.example.com does not resolve (EAI_SERVICE).'],
    [
      'EHOSTUNREACH',
      'CONNECTION_REFUSED',
      'Nothing accepts connections at registry.example.com:5000 (EHOSTUNREACH).',
    ],
    [
      'ENETUNREACH',
      'CONNECTION_REFUSED',
      'Nothing accepts connections at registry.example.com:5000 (ENETUNREACH).',
    ],
    [
      'EADDRNOTAVAIL',
      'CONNECTION_REFUSED',
      'Nothing accepts connections at registry.example.com:5000 (EADDRNOTAVAIL).',
    ],
    [
      'EPIPE',
      'CONNECTION_RESET',
      'The connection to registry.example.com:5000 was closed or reset before an answer (EPIPE).',
    ],
    [
      'ECONNABORTED',
      'CONNECTION_RESET',
      'The connection to registry.example.com:5000 was closed or reset before an answer (ECONNABORTED).',
    ],
    [
      'UND_ERR_CLOSED',
      'CONNECTION_RESET',
      'The connection to registry.example.com:5000 was closed or reset before an answer (UND_ERR_CLOSED).',
    ],
    [
      'UNKNOWN',
      'CONNECTION_RESET',
      'The connection to registry.example.com:5000 was closed or reset before an answer (UNKNOWN).',
    ],
    [
      'UND_ERR_BODY_TIMEOUT',
      'TIMEOUT',
      'registry.example.com:5000 did not answer in time (UND_ERR_BODY_TIMEOUT).',
    ],
    ['ETIMEDOUT', 'TIMEOUT', 'registry.example.com:5000 did not answer in time (ETIMEDOUT).'],
    [
      'CERT_NOT_YET_VALID',
      'TLS_EXPIRED',
      'The TLS certificate of registry.example.com:5000 is expired or not yet valid (CERT_NOT_YET_VALID).',
    ],
    ...[
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'CERT_UNTRUSTED',
      'CERT_REJECTED',
      'CERT_SIGNATURE_FAILURE',
      'CERT_CHAIN_TOO_LONG',
      'INVALID_CA',
      'CERT_REVOKED',
    ].map((code): [string, DiagnosisCode, string] => [
      code,
      'TLS_UNTRUSTED',
      `The TLS certificate of registry.example.com:5000 is not signed by a trusted CA (${code}).`,
    ]),
    ...['ERR_TLS_CERT_ALTNAME_FORMAT', 'HOSTNAME_MISMATCH'].map((code): [string, DiagnosisCode, string] => [
      code,
      'TLS_HOSTNAME_MISMATCH',
      `The TLS certificate of registry.example.com:5000 is not valid for the name registry.example.com (${code}).`,
    ]),
    ...[
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'ERR_TLS_HANDSHAKE_TIMEOUT',
      'SSL_ERROR',
      'ERR_OSSL_EVP_BAD_DECRYPT',
    ].map((code): [string, DiagnosisCode, string] => [
      code,
      'TLS_ERROR',
      `The TLS handshake with registry.example.com:5000 failed (${code}); a plain-HTTP server on a TLS port looks like this.`,
    ]),
    ...['HPE_INVALID_CONSTANT', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INFO'].map(
      (code): [string, DiagnosisCode, string] => [
        code,
        'PROTOCOL_ERROR',
        `registry.example.com:5000 did not answer with valid HTTP (${code}).`,
      ],
    ),
    [
      'X_ERR_SSL_NOT_A_PREFIX',
      'CONNECTION_RESET',
      'The connection to registry.example.com:5000 was closed or reset before an answer (X_ERR_SSL_NOT_A_PREFIX).',
    ],
    [
      'XHPE_NOT_A_PREFIX',
      'CONNECTION_RESET',
      'The connection to registry.example.com:5000 was closed or reset before an answer (XHPE_NOT_A_PREFIX).',
    ],
  ])('maps %s to %s with a summary that names the host', (code, expected, summary) => {
    expect(classify(transport(code), ctx)).toEqual<Classification>({
      code: expected,
      summary,
      evidence: evidence(code),
      facts: { host: 'registry.example.com:5000' },
    });
  });

  it('blames the proxy for a failure to connect through it, naming the proxy', () => {
    expect(
      classify(transport('ECONNRESET', { proxy: 'http://proxy.internal:3128/' }), ctx),
    ).toEqual<Classification>({
      code: 'PROXY_ERROR',
      summary:
        'The connection through the proxy http://proxy.internal:3128/ to registry.example.com:5000 broke (ECONNRESET): the proxy, or the registry behind it, closed it before an answer.',
      // The proxy and the hop that failed come before the errno: the reader learns first that
      // the registry was reached only through the proxy.
      evidence: [
        'step: ping',
        'url: https://registry.example.com:5000/v2/',
        'proxy: http://proxy.internal:3128/',
        'failed hop: the connection through the proxy (to registry.example.com:5000)',
        'errno: ECONNRESET',
        'error: connect ECONNRESET',
      ],
      // The next steps test the proxy (its host and port), not the registry.
      facts: {
        host: 'registry.example.com:5000',
        proxy: {
          url: 'http://proxy.internal:3128/',
          hostname: 'proxy.internal',
          port: '3128',
          failure: 'broken',
          target: 'registry.example.com:5000',
        },
      },
    });
  });

  it.each<[string, DiagnosisCode]>([
    ['CERT_HAS_EXPIRED', 'TLS_EXPIRED'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_UNTRUSTED'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_HOSTNAME_MISMATCH'],
    ['EPROTO', 'TLS_ERROR'],
  ])("keeps %s through a proxy: it is the registry's certificate, not the proxy", (code, expected) => {
    expect(classify(transport(code, { proxy: 'http://proxy.internal:3128/' }), ctx).code).toBe(expected);
  });

  it('reports the proxy TLS failure as the proxy, with or without a proxy recorded', () => {
    expect(classify(transport('UND_ERR_PRX_TLS'), ctx).summary).toBe(
      'The proxy  failed to connect to registry.example.com:5000 (UND_ERR_PRX_TLS).',
    );
  });

  it('quotes a cause that is not an Error as text', () => {
    expect(classify(transport('ECONNRESET', { cause: 'reset by peer' }), ctx).evidence).toContain(
      'error: reset by peer',
    );
  });
});

describe('classify: image and protocol problems', () => {
  it('lists what an image index lacks and what it has', () => {
    expect(
      classify(new PlatformMissingError(['linux/arm64', 'linux/s390x'], ['linux/amd64']), ctx),
    ).toEqual<Classification>({
      code: 'PLATFORM_MISSING',
      summary: 'The image index has no linux/arm64, linux/s390x image; it has linux/amd64.',
      evidence: ['required: linux/arm64, linux/s390x', 'available: linux/amd64'],
      // The rebuild step keeps every available platform and adds the missing ones (next-steps.ts).
      facts: { platforms: { available: ['linux/amd64'], missing: ['linux/arm64', 'linux/s390x'] } },
    });
  });

  it('says an empty index has none', () => {
    expect(classify(new PlatformMissingError(['linux/arm64'], []), ctx)).toMatchObject({
      summary: 'The image index has no linux/arm64 image; it has none.',
      evidence: ['required: linux/arm64', 'available: (none)'],
    });
  });

  it('lists several available platforms of an index, and several missing ones of an image', () => {
    expect(
      classify(new PlatformMissingError(['linux/s390x'], ['linux/amd64', 'linux/arm64']), ctx).summary,
    ).toBe('The image index has no linux/s390x image; it has linux/amd64, linux/arm64.');
    expect(
      classify(
        new PlatformMissingError(['linux/arm64', 'linux/s390x'], ['linux/amd64', 'linux/386'], 'image'),
        ctx,
      ).summary,
    ).toBe(
      'The image is a single-platform linux/amd64, linux/386 image, with no linux/arm64, linux/s390x variant: nodes of that platform cannot run it.',
    );
  });

  it('tells a single-platform image apart from an index', () => {
    expect(classify(new PlatformMissingError(['linux/arm64'], ['linux/amd64'], 'image'), ctx).summary).toBe(
      'The image is a single-platform linux/amd64 image, with no linux/arm64 variant: nodes of that platform cannot run it.',
    );
  });

  it('names both digests of a mismatch', () => {
    expect(
      classify(new DigestMismatchError('https://s.example/blob', 'sha256:aa', 'sha256:bb'), ctx),
    ).toEqual<Classification>({
      code: 'DIGEST_MISMATCH',
      summary:
        'Content served for sha256:aa hashes to sha256:bb: corrupt storage, a broken cache or a tampering proxy.',
      evidence: ['url: https://s.example/blob', 'expected: sha256:aa', 'actual: sha256:bb'],
    });
  });

  it('quotes a malformed challenge up to 500 characters with the problem', () => {
    const header = `Bearer ${'x'.repeat(600)}`;
    expect(classify(new ChallengeParseError(header, 'expected ","'), ctx)).toEqual<Classification>({
      code: 'PROTOCOL_ERROR',
      summary: 'registry.example.com sent a malformed WWW-Authenticate challenge: expected ",".',
      evidence: [`WWW-Authenticate: ${header.slice(0, 500)}`, 'problem: expected ","'],
    });
  });

  it('keeps the evidence of a protocol error, or its message when it has none', () => {
    expect(
      classify(new ProtocolError('HEAD x: no digest header', ['status: 200']), ctx),
    ).toEqual<Classification>({
      code: 'PROTOCOL_ERROR',
      summary: 'HEAD x: no digest header.',
      evidence: ['status: 200'],
    });
    expect(classify(new ProtocolError('not a registry'), ctx).evidence).toEqual(['not a registry']);
  });

  it('ends an unexpected error as a protocol error naming it and its cause', () => {
    const error = new TypeError('x is undefined', { cause: new Error('deeper') });
    expect(classify(error, ctx)).toEqual<Classification>({
      code: 'PROTOCOL_ERROR',
      summary: 'The probe stopped on an unexpected error: TypeError: x is undefined',
      evidence: ['error: TypeError: x is undefined', 'cause: deeper'],
    });
    expect(classify(42, ctx)).toEqual<Classification>({
      code: 'PROTOCOL_ERROR',
      summary: 'The probe stopped on an unexpected error: 42',
      evidence: ['error: 42'],
    });
    expect(classify(null, ctx).evidence).toEqual(['error: null']);
  });
});

describe('diagnose', () => {
  it('puts the generic next steps first, built from the facts, then the profile steps, and links the runbook', () => {
    const error = new RealmRefusedError('https://auth.example.com/token', 'not trusted');
    const d = diagnose(error, ctx);
    expect(d).toEqual({
      code: 'TOKEN_SERVICE_ERROR',
      summary: classify(error, ctx).summary,
      evidence: classify(error, ctx).evidence,
      nextSteps: [
        ...nextStepsFor(
          { code: 'TOKEN_SERVICE_ERROR', facts: { realm: 'https://auth.example.com/token' } },
          ctx,
        ),
        ...ctx.profile.nextSteps('TOKEN_SERVICE_ERROR', ctx),
      ],
      runbook: 'https://runbooks.example/rb/TOKEN_SERVICE_ERROR.md',
    });
    expect(d.nextSteps).toContain(
      "curl -s 'https://auth.example.com/token?scope=repository:team/app:pull' | head -c 300",
    );
  });

  it('passes Retry-After from the answer to the next steps', () => {
    const d = diagnose(http(429, { headers: { 'retry-after': '120' } }), ctx);
    expect(d.nextSteps).toContain('Wait 120 s (Retry-After) before pulling again.');
  });

  it("appends the profile's own steps after the generic ones", () => {
    const hub = { ...ctx, registry: 'registry-1.docker.io', profile: profileForHost('registry-1.docker.io') };
    const d = diagnose(http(429), hub);
    const generic = nextStepsFor({ code: 'RATE_LIMITED', facts: {} }, hub);
    const own = hub.profile.nextSteps('RATE_LIMITED', hub);
    expect(own.length).toBeGreaterThan(0);
    expect(d.nextSteps).toEqual([...generic, ...own]);
  });
});
