import { describe, expect, it } from 'vitest';
import { type CliIo, main, SUBCOMMANDS } from '../../../bin/cli.ts';
import type { ProbeOptions } from '../../../functions/probe/options.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';

function result(ref: string, status: ProbeResult['status']): ProbeResult {
  return {
    ref,
    registry: '127.0.0.1:5000',
    repository: 'app',
    reference: 'v1',
    status,
    diagnosis:
      status === 'failing'
        ? {
            code: 'DNS_FAILURE',
            summary: 'no such host',
            evidence: ['errno: ENOTFOUND'],
            nextSteps: ['dig +short x'],
            runbook: 'https://rb/DNS_FAILURE.md',
          }
        : null,
    warnings: [],
    digest: status === 'failing' ? null : `sha256:${'a'.repeat(64)}`,
    platforms: ['linux/amd64'],
    rateLimit: null,
    tls: null,
    steps: [
      {
        name: 'ping',
        method: 'GET',
        url: 'http://127.0.0.1:5000/v2/',
        status: 200,
        host: '127.0.0.1:5000',
        timings: { dnsMs: null, connectMs: 1.2, tlsMs: null, ttfbMs: 2.5, totalMs: 4 },
        reusedConnection: false,
      },
    ],
    durationMs: 12,
  };
}

function fakeIo(
  options: {
    stdin?: string;
    files?: Record<string, string>;
    status?: (ref: string) => ProbeResult['status'];
  } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: { ref: string; options: Partial<ProbeOptions> }[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => options.stdin ?? '',
    readFile: async (path) => {
      const content = options.files?.[path];
      if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return content;
    },
    probe: async (ref, probeOptions) => {
      calls.push({ ref, options: probeOptions });
      return result(ref, options.status?.(ref) ?? 'healthy');
    },
  };
  return { io, out, err, calls, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

const noDockerConfig = { DOCKER_CONFIG: '/nonexistent-docker-config' };

describe('registry-canary CLI', () => {
  it('prints one JSON array with one result per ref and exits 0 when all pass', async () => {
    const t = fakeIo();
    const code = await main(
      ['probe', 'a.example/x:1', 'b.example/y:2', '--json', '--auth', 'anonymous'],
      t.io,
    );
    expect(code).toBe(0);
    const parsed = JSON.parse(t.stdout()) as ProbeResult[];
    expect(parsed.map((r) => r.ref)).toEqual(['a.example/x:1', 'b.example/y:2']);
  });

  it('exits 1 when any probe is failing, and prints the diagnosis with next steps and runbook', async () => {
    const t = fakeIo({ status: (ref) => (ref.startsWith('bad') ? 'failing' : 'degraded') });
    const code = await main(['probe', 'good.example/x', 'bad.example/y', '--auth', 'anonymous'], t.io);
    expect(code).toBe(1);
    expect(t.stdout()).toContain('DNS_FAILURE: no such host');
    expect(t.stdout()).toContain('dig +short x');
    expect(t.stdout()).toContain('https://rb/DNS_FAILURE.md');
    expect(t.stdout()).toMatch(/STEP\s+METHOD\s+STATUS\s+HOST\s+DNS\s+CONNECT\s+TLS\s+TTFB\s+TOTAL\s+REUSED/);
  });

  it('passes the flags to the probe', async () => {
    const t = fakeIo({ files: { '/ca.pem': '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' } });
    await main(
      [
        'probe',
        'r.example/x',
        '--platform',
        'linux/amd64',
        '--platform',
        'linux/arm64/v8',
        '--plain-http',
        '--timeout',
        '3000',
        '--verify-blob',
        '--ca-file',
        '/ca.pem',
        '--auth',
        'anonymous',
        '--profile',
        'harbor',
      ],
      t.io,
    );
    expect(t.calls[0]!.options).toMatchObject({
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      plainHttp: true,
      profile: 'harbor',
      // The run's own flags, so next steps repeat it as it was made.
      invocation: {
        command: 'registry-canary',
        flags: [
          '--auth anonymous',
          '--platform linux/amd64',
          '--platform linux/arm64/v8',
          '--plain-http',
          '--ca-file /ca.pem',
          '--profile harbor',
        ],
      },
      timeoutMs: 3000,
      requestTimeoutMs: 3000,
      verifyBlob: true,
      caCertificates: ['-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n'],
    });
    expect(t.calls[0]!.options.credentials?.source).toBe('anonymous');
  });

  it('reads the password from stdin and never prints it', async () => {
    const t = fakeIo({ stdin: 's3cret-pass\n', status: () => 'failing' });
    const code = await main(
      ['probe', 'r.example/x', '--username', 'robot', '--password-stdin', '--json'],
      t.io,
    );
    expect(code).toBe(1);
    const provider = t.calls[0]!.options.credentials!;
    expect(await provider.resolve('r.example')).toEqual({
      kind: 'basic',
      username: 'robot',
      password: 's3cret-pass',
    });
    expect(t.stdout() + t.stderr()).not.toContain('s3cret-pass');
  });

  it.each([
    [['probe'], 'at least one image reference'],
    [['probe', 'library/Alpine'], 'must be lowercase'],
    [['probe', 'x', '--timeout', 'soon'], '--timeout'],
    [['probe', 'x', '--platform', 'amd64'], '--platform'],
    [['probe', 'x', '--password-stdin'], '--password-stdin needs --username'],
    [['probe', 'x', '--username', 'u'], '--username needs --password-stdin'],
    [['probe', 'x', '--ca-file', '/missing.pem'], '--ca-file /missing.pem'],
    [['probe', 'x', '--bogus'], '--bogus'],
    [['probe', 'x', '--profile', 'harbour'], '--profile "harbour": expected one of dockerhub, ecr,'],
    [['probe', 'x', '--auth', 'kerberos'], 'kerberos'],
    [['probe', 'x', '--runbook-base-url', 'wiki/runbooks'], '--runbook-base-url'],
    [['probe', 'x', '--verify-blob', '--verify-blob-max-bytes', '5MB'], '--verify-blob-max-bytes'],
    [['probe', 'x', '--verify-blob-max-bytes', '1024'], 'goes with --verify-blob'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [[], 'no command given'],
  ])('exits 2 on bad usage %j, naming the problem', async (argv, message) => {
    const t = fakeIo();
    const previous = process.env['DOCKER_CONFIG'];
    process.env['DOCKER_CONFIG'] = noDockerConfig.DOCKER_CONFIG;
    try {
      expect(await main(argv, t.io)).toBe(2);
    } finally {
      if (previous === undefined) delete process.env['DOCKER_CONFIG'];
      else process.env['DOCKER_CONFIG'] = previous;
    }
    expect(t.stderr()).toContain(message);
    expect(t.calls).toHaveLength(0);
  });

  it('passes --verify-blob-max-bytes to the probe as the cap on the verified layer', async () => {
    const t = fakeIo();
    const code = await main(
      ['probe', 'alpine', '--verify-blob', '--verify-blob-max-bytes', '20971520'],
      t.io,
    );

    expect(code).toBe(0);
    expect(t.calls[0]!.options).toMatchObject({ verifyBlob: true, verifyBlobMaxBytes: 20_971_520 });
  });

  it('passes --runbook-base-url to the probe, for a team that keeps its own runbooks', async () => {
    const t = fakeIo();
    const code = await main(
      ['probe', 'alpine', '--runbook-base-url', 'https://wiki.example.com/runbooks/registry'],
      t.io,
    );

    expect(code).toBe(0);
    expect(t.calls[0]!.options.runbookBaseUrl).toBe('https://wiki.example.com/runbooks/registry');
  });

  it('prints help for --help and every subcommand in the table', async () => {
    const t = fakeIo();
    expect(await main(['--help'], t.io)).toBe(0);
    for (const name of Object.keys(SUBCOMMANDS)) expect(t.stdout()).toContain(name);
    const p = fakeIo();
    expect(await main(['probe', '--help'], p.io)).toBe(0);
    expect(p.stdout()).toContain('--password-stdin');
  });
});
