import { describe, expect, it } from 'vitest';
import { trustedContext } from '../../../functions/registry/trust.ts';
import { createSelfSigned, generateKeys } from '../../integration/harness/certs.ts';

async function caPem(name: string): Promise<string> {
  return (await createSelfSigned(name, await generateKeys())).toString('pem');
}

describe('trustedContext', () => {
  it("leaves Node's default context in place when no extra CA is given", () => {
    expect(trustedContext(undefined)).toBeUndefined();
    expect(trustedContext([])).toBeUndefined();
  });

  it('builds one context per CA bundle and hands the same one to every later connection', async () => {
    const a = await caPem('CN=bundle a');
    const b = await caPem('CN=bundle b');
    const first = trustedContext([a]);
    expect(first).toBeDefined();
    expect(trustedContext([a])).toBe(first);
    expect(trustedContext([b])).not.toBe(first);
  });
});
