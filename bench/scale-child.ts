/**
 * One probe-Lambda invocation in a fresh process: the real handler module (config file read at
 * cold start, Powertools Logger and Metrics), with AWS mocked at the SDK boundary, probing N
 * targets on the local registries. Run by bench/scenarios/scale.ts, one process per size, so the
 * peak RSS it reports is that of one cold container.
 *
 * Input: env BENCH_SCALE (JSON ScaleInput). Output: the handler's own log lines on stdout (the
 * parent measures them), and one JSON line on stderr starting with SCALE_RESULT.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { RESULT_MARKER, type ScaleInput } from './lib/scale-protocol.ts';

async function main(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_SCALE ?? '') as ScaleInput;
  const baselineRssKb = process.resourceUsage().maxRSS;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-scale-'));
  const configFile = path.join(dir, 'probe-config.json');
  const targets = Array.from({ length: input.targets }, (_, i) => {
    const registry = input.registries[i % input.registries.length]!;
    return {
      name: `t${i}`,
      image: registry.ref,
      registry: registry.registry,
      repository: registry.repository,
      reference: registry.reference,
      credentials: registry.username
        ? { type: 'basic', secret: `bench/${registry.registry}` }
        : { type: 'anonymous' },
      platforms: ['linux/amd64'],
      timeoutMs: 10_000,
      slowMs: 5_000,
      certExpiryDays: 14,
      rateLimitRatio: 0.2,
      verifyBlob: false,
      plainHttp: false,
    };
  });
  writeFileSync(
    configFile,
    JSON.stringify({
      region: 'us-east-1',
      homeRegion: 'us-east-1',
      concurrency: input.concurrency,
      deadlineGraceMs: 2_000,
      // The state writer's settings at the config's defaults (lib/config/schema.ts `state`).
      state: { heartbeatMinutes: 15, ttlDays: 14 },
      caCertificates: [...new Set(input.registries.flatMap((r) => (r.caPem ? [r.caPem] : [])))],
      targets,
    }),
  );

  // AWS at the SDK boundary: the basic credentials come from "Secrets Manager", the home copy goes nowhere.
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand).callsFake(async (command: { SecretId?: string }) => {
    const registry = input.registries.find((r) => `bench/${r.registry}` === command.SecretId);
    return { SecretString: JSON.stringify({ username: registry?.username, password: registry?.password }) };
  });
  const cloudWatch = mockClient(CloudWatchClient);
  cloudWatch.on(PutMetricDataCommand).resolves({});

  process.env.PROBE_CONFIG_FILE = configFile;
  process.env.AWS_REGION ??= 'us-east-1';
  const importStarted = performance.now();
  const { probeScheduled } = await import('../functions/handlers/probe-handler.ts');
  const importMs = performance.now() - importStarted;

  const deadline = Date.now() + input.timeoutSeconds * 1000;
  const context = {
    functionName: 'bench',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const summary = await probeScheduled(input.shard ?? {}, context);
  const wallMs = performance.now() - started;
  // The invocation's own CPU (user + system): near wall × 1 means the run was CPU-bound in this
  // process (one JavaScript thread), not waiting on the network.
  const cpu = process.cpuUsage(cpuBefore);
  process.stderr.write(
    `${RESULT_MARKER}${JSON.stringify({
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      importMs,
      baselineRssKb,
      maxRssKb: process.resourceUsage().maxRSS,
      summary,
      putMetricDataCalls: cloudWatch.commandCalls(PutMetricDataCommand).length,
    })}\n`,
  );
}

await main();
