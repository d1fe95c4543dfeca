/**
 * A target's `plainHttp`, from the config file to the wire: validateConfig → runtimeConfigFor →
 * probe-config.json (JSON and the handler's schema) → probeAll → probeImage, against a plain-HTTP
 * server on loopback that records what reaches it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../../../../functions/credentials/types.ts';
import { probeImage } from '../../../../functions/probe/probe.ts';
import { RunDeadline } from '../../../../functions/run/deadline.ts';
import { probeRuntimeConfigSchema } from '../../../../functions/run/probe-config.ts';
import { probeAll } from '../../../../functions/run/probe-run.ts';
import { runtimeConfigFor } from '../../../../lib/config/runtime-config.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';

let host: string;
let requests: string[];
let server: ReturnType<typeof createServer>;

beforeAll(async () => {
  requests = [];
  // Answers every request with a registry error: enough to see which scheme the probe used.
  server = createServer((req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'down for the test' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function probeThroughTheStack(plainHttp: boolean) {
  requests.length = 0;
  const config = validateConfig({
    homeRegion: 'eu-west-1',
    probeRegions: ['eu-west-1'],
    targets: [{ name: 'internal', image: `${host}/team/app:1`, plainHttp, thresholds: { timeoutMs: 2_000 } }],
  });
  const shipped = probeRuntimeConfigSchema.parse(
    JSON.parse(JSON.stringify(runtimeConfigFor(config, 'eu-west-1'))),
  );
  const [outcome] = await probeAll(shipped, {
    probe: probeImage,
    credentialsFor: () => anonymous,
    deadline: RunDeadline.in(30_000),
    onResult: () => {},
  });
  return outcome!.result;
}

describe('a plain-HTTP target', () => {
  it('is probed over HTTP when its config says plainHttp: true', async () => {
    const result = await probeThroughTheStack(true);

    expect(requests[0]).toBe('GET /v2/');
    expect(result.steps[0]?.url).toBe(`http://${host}/v2/`);
    expect(result.diagnosis?.code).toBe('REGISTRY_UNAVAILABLE');
  });

  it('is probed over HTTPS by default, which a plain-HTTP registry cannot answer', async () => {
    const result = await probeThroughTheStack(false);

    expect(requests).toEqual([]);
    expect(result.status).toBe('failing');
    expect(result.diagnosis?.code).toMatch(/^TLS_/);
  });
});
