// Blob redirects, followed by hand (blob.ts): at most MAX_REDIRECTS hops, each a step of its own,
// only to http(s), and Authorization only ever to the registry's own origin (the distribution
// spec: clients MUST NOT forward it to a redirect target; registry-client.ts applies the rule).
import { describe, expect, it } from 'vitest';
import type { StepName } from '../../../functions/probe/result.ts';
import { headBlob, MAX_REDIRECTS } from '../../../functions/registry/blob.ts';
import { ProtocolError } from '../../../functions/registry/errors.ts';
import { RegistryClient } from '../../../functions/registry/registry-client.ts';
import { type ScriptedAnswer, scriptedHttp } from './scripted-http.ts';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const BLOB_URL = `https://registry.example.com/v2/team/app/blobs/${DIGEST}`;

function scripted(answers: ScriptedAnswer[]) {
  const { http, requests } = scriptedHttp(answers);
  const registry = new RegistryClient(http, new URL('https://registry.example.com'), 'team/app');
  registry.authorization = 'Bearer registry-token';
  return { registry, requests };
}

const redirect = (location: string, status = 307) => ({ status, headers: { location } });

async function failure(promise: Promise<unknown>): Promise<ProtocolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('headBlob redirects', () => {
  it('answers from the registry itself without a redirect', async () => {
    const { registry, requests } = scripted([{ status: 200, headers: { 'content-length': '1234' } }]);
    expect(await headBlob(registry, DIGEST)).toEqual({ storageHost: 'registry.example.com', size: 1234 });
    expect(requests.map((r) => [r.step, r.method, r.url.toString()])).toEqual([
      ['blob-head', 'HEAD', BLOB_URL],
    ]);
  });

  it('follows every 3xx to storage as its own step, without the Authorization header', async () => {
    const { registry, requests } = scripted([
      redirect('https://storage.example.net/blob?X-Amz-Signature=s', 302),
      redirect('/relative/next', 308),
      redirect('https://cdn.example.org/final', 300),
      redirect('https://cdn.example.org/final2', 399),
      { status: 200, headers: { 'content-length': 'not a number' } },
    ]);
    expect(await headBlob(registry, DIGEST)).toEqual({ storageHost: 'cdn.example.org', size: null });
    expect(requests.map((r) => [r.step, r.url.toString()])).toEqual<[StepName, string][]>([
      ['blob-head', BLOB_URL],
      ['blob-redirect', 'https://storage.example.net/blob?X-Amz-Signature=s'],
      ['blob-redirect', 'https://storage.example.net/relative/next'],
      ['blob-redirect', 'https://cdn.example.org/final'],
      ['blob-redirect', 'https://cdn.example.org/final2'],
    ]);
    expect(requests[0]!.headers?.['authorization']).toBe('Bearer registry-token');
    for (const r of requests.slice(1)) expect(r.headers?.['authorization']).toBeUndefined();
    expect(requests.every((r) => r.method === 'HEAD')).toBe(true);
  });

  it('sends Authorization again when a redirect comes back to the registry origin', async () => {
    const { registry, requests } = scripted([redirect('/v2/team/app/blobs/elsewhere'), { status: 200 }]);
    await headBlob(registry, DIGEST);
    expect(requests[1]!.headers?.['authorization']).toBe('Bearer registry-token');
  });

  it(`follows ${MAX_REDIRECTS} redirects and refuses the next one`, async () => {
    const hops = (n: number) => Array.from({ length: n }, (_, i) => redirect(`https://s.example/${i}`));
    const ok = scripted([...hops(MAX_REDIRECTS), { status: 200 }]);
    expect((await headBlob(ok.registry, DIGEST)).storageHost).toBe('s.example');
    expect(ok.requests).toHaveLength(MAX_REDIRECTS + 1);

    const tooMany = scripted(hops(MAX_REDIRECTS + 1));
    const error = await failure(headBlob(tooMany.registry, DIGEST));
    expect(error.message).toBe(`HEAD ${BLOB_URL}: more than 5 redirects`);
    expect(error.evidence).toEqual(['redirects followed: 5']);
    expect(tooMany.requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  it('refuses a redirect without a Location header, with its status', async () => {
    const { registry } = scripted([{ status: 302 }]);
    const error = await failure(headBlob(registry, DIGEST));
    expect(error.message).toBe(`HEAD ${BLOB_URL}: answered 302 without a Location header`);
    expect(error.evidence).toEqual(['status: 302']);
  });

  it('refuses a Location that is not a URL', async () => {
    const { registry } = scripted([redirect('http://[bad')]);
    const error = await failure(headBlob(registry, DIGEST));
    expect(error.message).toBe(`HEAD ${BLOB_URL}: redirect to an unparsable Location`);
    expect(error.evidence).toEqual(['status: 307']);
  });

  it.each(['file:///etc/passwd', 'ftp://storage.example/blob', 'gopher://x/'])(
    'refuses a redirect to %s before sending anything there',
    async (location) => {
      const { registry, requests } = scripted([redirect(location), { status: 200 }]);
      const error = await failure(headBlob(registry, DIGEST));
      expect(error.message).toBe(`HEAD: redirect to the unsupported scheme ${new URL(location).protocol}`);
      expect(error.evidence).toEqual(['status: 307']);
      expect(requests).toHaveLength(1);
    },
  );

  it('follows a redirect to plain HTTP storage', async () => {
    const { registry, requests } = scripted([redirect('http://storage.example/blob'), { status: 200 }]);
    expect((await headBlob(registry, DIGEST)).storageHost).toBe('storage.example');
    expect(requests).toHaveLength(2);
  });
});
