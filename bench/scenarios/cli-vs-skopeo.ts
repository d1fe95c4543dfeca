/**
 * The whole `registry-canary probe --json` process against `skopeo inspect` on the same image, per
 * auth mode, alternating; plus the probe's own in-process duration (from its JSON) and the floor,
 * a bare `node -e ''`, which is what any Node CLI pays before its first line runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alternate } from '../lib/alternate.ts';
import { timeOk } from '../lib/process.ts';
import { type Summary, summarize } from '../lib/stats.ts';
import type { BenchRegistry } from '../lib/targets.ts';

export interface CliVsSkopeoResult {
  mode: string;
  ref: string;
  rounds: number;
  probeProcess: Summary;
  probeInProcess: Summary;
  skopeoProcess: Summary;
  nodeFloor: Summary;
  /** Requests the probe made (steps), so the reader can tell the two tools did similar work. */
  probeSteps: string[];
}

export function probeArgs(registry: BenchRegistry, cli: string): string[] {
  const args = [cli, 'probe', registry.ref, '--json'];
  if (registry.plainHttp) args.push('--plain-http');
  if (registry.caFile) args.push('--ca-file', registry.caFile);
  if (registry.username) args.push('--username', registry.username, '--password-stdin');
  return args;
}

/** skopeo reads a CA from a directory of *.crt files. */
export function skopeoArgs(registry: BenchRegistry, certDir: string | undefined): string[] {
  const args = ['inspect'];
  if (registry.plainHttp) args.push('--tls-verify=false');
  if (certDir) args.push('--cert-dir', certDir);
  if (registry.username && registry.password)
    args.push('--creds', `${registry.username}:${registry.password}`);
  args.push(`docker://${registry.ref}`);
  return args;
}

export async function benchCliVsSkopeo(
  registry: BenchRegistry,
  options: { rounds: number; warmup: number; repoRoot: string },
): Promise<CliVsSkopeoResult> {
  const cli = path.join(options.repoRoot, 'bin', 'registry-canary.mjs');
  let certDir: string | undefined;
  if (registry.caPem) {
    certDir = await mkdtemp(path.join(tmpdir(), 'bench-skopeo-certs-'));
    await writeFile(path.join(certDir, 'ca.crt'), registry.caPem);
  }
  // skopeo must not find a user's auth file and send its credentials to our loopback registry.
  const skopeoEnv = { ...process.env, REGISTRY_AUTH_FILE: path.join(tmpdir(), 'bench-no-auth.json') };
  await writeFile(skopeoEnv.REGISTRY_AUTH_FILE, '{"auths":{}}');
  const inProcess: number[] = [];
  let probeSteps: string[] = [];
  try {
    const results = await alternate(
      [
        {
          name: 'probe',
          run: async () => {
            const run = await timeOk(process.execPath, probeArgs(registry, cli), {
              cwd: options.repoRoot,
              input: registry.password ? `${registry.password}\n` : '',
            });
            // --json prints an array with one result per reference; we probe one.
            const [json] = JSON.parse(run.stdout) as {
              status: string;
              durationMs: number;
              steps: { name: string }[];
            }[];
            if (!json) throw new Error(`probe of ${registry.ref} printed no result`);
            if (json.status === 'failing')
              throw new Error(`probe of ${registry.ref} failed: ${run.stdout.slice(0, 1500)}`);
            inProcess.push(json.durationMs);
            probeSteps = json.steps.map((s) => s.name);
            return run.wallMs;
          },
        },
        {
          name: 'skopeo',
          run: async () => (await timeOk('skopeo', skopeoArgs(registry, certDir), { env: skopeoEnv })).wallMs,
        },
        { name: 'node', run: async () => (await timeOk(process.execPath, ['-e', ''])).wallMs },
      ],
      { rounds: options.rounds, warmup: options.warmup },
    );
    return {
      mode: registry.mode,
      ref: registry.ref,
      rounds: options.rounds,
      probeProcess: summarize(results.get('probe')!),
      // The warmup rounds also pushed in-process figures: keep only the timed rounds.
      probeInProcess: summarize(inProcess.slice(-options.rounds)),
      skopeoProcess: summarize(results.get('skopeo')!),
      nodeFloor: summarize(results.get('node')!),
      probeSteps,
    };
  } finally {
    if (certDir) await rm(certDir, { recursive: true, force: true });
  }
}
