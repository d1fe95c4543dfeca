/**
 * Following redirects (redirects.ts) against a recording HttpClient: which requests are sent, with
 * which headers, and that a refused destination is never dispatched at all.
 */
import { describe, expect, it } from 'vitest';
import { RedirectRefusedError } from '../../../functions/registry/errors.ts';
import type { HttpClient, HttpExchange, HttpRequest } from '../../../functions/registry/http.ts';
import { sendFollowingRedirects } from '../../../functions/registry/redirects.ts';

type Answer = { status: number; headers?: Record<string, string> };

/** An HttpClient that answers from a table by URL and records every request it was asked to send. */
function recordingHttp(answers: Record<string, Answer | Answer[]>) {
  const sent: HttpRequest[] = [];
  const http = {
    send: async (request: HttpRequest): Promise<HttpExchange> => {
      sent.push(request);
      const entry = answers[request.url.href];
      const answer = Array.isArray(entry) ? (entry.shift() ?? { status: 500 }) : (entry ?? { status: 404 });
      return {
        step: {
          name: request.step,
          method: request.method,
          url: request.url.href,
          status: answer.status,
          host: request.url.host,
          timings: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 1, totalMs: 1 },
          reusedConnection: false,
        },
        status: answer.status,
        headers: answer.headers ?? {},
        body: Buffer.alloc(0),
        bodyTruncated: false,
        tls: null,
        bodyMs: 0,
        proxy: null,
      };
    },
  } as unknown as HttpClient;
  return { http, sent };
}

const START = new URL('https://registry.example.com/v2/team/app/manifests/v1');
const request = (
  headers: Record<string, string> = { authorization: 'Bearer registry-token' },
): HttpRequest => ({
  step: 'manifest-head',
  method: 'HEAD',
  url: START,
  headers,
});

describe('sendFollowingRedirects', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://2852039166/latest/meta-data/'],
    ['http://[::ffff:169.254.169.254]/'],
    ['http://[fd00:ec2::254]/'],
    ['http://metadata.google.internal/computeMetadata/v1/'],
    ['file:///etc/passwd'],
  ])('refuses a redirect to %s before sending anything to it', async (location) => {
    const { http, sent } = recordingHttp({ [START.href]: { status: 307, headers: { location } } });

    const failure = await sendFollowingRedirects(http, request(), { credentialOrigin: START.origin }).catch(
      (e: unknown) => e,
    );

    expect(failure).toBeInstanceOf(RedirectRefusedError);
    expect(sent.map((r) => r.url.href)).toEqual([START.href]);
    expect((failure as RedirectRefusedError).evidence.join('\n')).toMatch(/scheme|metadata|link-local/);
  });

  it('sends the Authorization of the registry to the registry only, not to the storage host', async () => {
    const storage = 'https://storage.example.net/blob?X-Amz-Signature=abc';
    const { http, sent } = recordingHttp({
      [START.href]: { status: 307, headers: { location: storage } },
      [storage]: { status: 200 },
    });

    const followed = await sendFollowingRedirects(http, request(), {
      credentialOrigin: START.origin,
      hopStep: 'blob-redirect',
    });

    expect(followed.url.href).toBe(storage);
    expect(sent.map((r) => [r.step, r.headers?.['authorization']])).toEqual([
      ['manifest-head', 'Bearer registry-token'],
      ['blob-redirect', undefined],
    ]);
  });

  it('drops the credentials on an https -> http downgrade to the same host', async () => {
    const downgraded = 'http://registry.example.com/v2/team/app/manifests/v1';
    const { http, sent } = recordingHttp({
      [START.href]: { status: 301, headers: { location: downgraded } },
      [downgraded]: { status: 200 },
    });

    await sendFollowingRedirects(http, request({ Authorization: 'Basic c2VjcmV0' }), {
      credentialOrigin: START.origin,
    });

    expect(sent[1]!.headers).toEqual({});
  });

  it("answers a foreign host's challenge with that host's own token, once, and keeps it for later hops", async () => {
    const foreign = 'https://us-west1-docker.pkg.dev/v2/k8s-artifacts-prod/images/pause/manifests/3.9';
    const { http, sent } = recordingHttp({
      [START.href]: { status: 307, headers: { location: foreign } },
      [foreign]: [
        {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="https://us-west1-docker.pkg.dev/v2/token"' },
        },
        { status: 200 },
      ],
    });
    const challenges: string[] = [];

    const followed = await sendFollowingRedirects(http, request(), {
      credentialOrigin: START.origin,
      answerForeignChallenge: async (challenge) => {
        challenges.push(challenge);
        return 'Bearer foreign-token';
      },
    });

    expect(followed.exchange.status).toBe(200);
    expect(challenges).toHaveLength(1);
    expect(sent.map((r) => r.headers?.['authorization'])).toEqual([
      'Bearer registry-token',
      undefined,
      'Bearer foreign-token',
    ]);
  });

  it('turns the POST of a token grant into a GET without a body on a 302', async () => {
    const realm = new URL('https://auth.example.com/token');
    const moved = 'https://auth.example.com/v2/token';
    const { http, sent } = recordingHttp({
      [realm.href]: { status: 302, headers: { location: moved } },
      [moved]: { status: 200 },
    });

    await sendFollowingRedirects(
      http,
      { step: 'token', method: 'POST', url: realm, body: 'grant_type=refresh_token', headers: {} },
      { credentialOrigin: realm.origin },
    );

    expect(sent[1]).toMatchObject({ method: 'GET' });
    expect(sent[1]!.body).toBeUndefined();
  });

  it('follows 9 redirects and fails on the 10th, having sent 10 requests', async () => {
    const hop = (i: number) => `https://registry.example.com/hop/${i}`;
    const chain = (length: number) =>
      Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [
          i === 0 ? START.href : hop(i),
          i < length ? { status: 307, headers: { location: hop(i + 1) } } : { status: 200 },
        ]),
      );

    const nine = recordingHttp(chain(9));
    const ok = await sendFollowingRedirects(nine.http, request(), { credentialOrigin: START.origin });
    const ten = recordingHttp(chain(10));
    const failure = await sendFollowingRedirects(ten.http, request(), {
      credentialOrigin: START.origin,
    }).catch((e: unknown) => e);

    expect(ok.exchange.status).toBe(200);
    expect(nine.sent).toHaveLength(10);
    expect(failure).toBeInstanceOf(RedirectRefusedError);
    expect((failure as Error).message).toContain('stopped after 10 redirects');
    expect(ten.sent).toHaveLength(10);
  });

  it('keeps the evidence of a long chain short', async () => {
    const loop = 'https://registry.example.com/loop';
    const { http } = recordingHttp({
      [START.href]: { status: 307, headers: { location: loop } },
      [loop]: Array.from({ length: 20 }, () => ({ status: 308, headers: { location: loop } })),
    });

    const failure = (await sendFollowingRedirects(http, request(), { credentialOrigin: START.origin }).catch(
      (e: unknown) => e,
    )) as RedirectRefusedError;

    expect(failure.evidence.length).toBeLessThanOrEqual(9);
    expect(failure.evidence).toContain('redirects followed: 9');
  });
});
