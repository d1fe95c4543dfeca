/**
 * Our ping step against prometheus-blackbox-exporter's http probe of the same /v2/ endpoint.
 * Both open a fresh connection per probe and report their own phase timings, so we compare the
 * figures each tool reports about the same request, not the time to ask them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../lib/ports.ts';
import type { BenchRegistry } from '../lib/targets.ts';

/** blackbox_exporter's phases, and the field of our StepTimings each corresponds to. */
export const PHASES = [
  { blackbox: 'resolve', ours: 'dnsMs' },
  { blackbox: 'connect', ours: 'connectMs' },
  { blackbox: 'tls', ours: 'tlsMs' },
  { blackbox: 'processing', ours: 'ttfbMs' },
] as const;

export interface BlackboxProbe {
  success: boolean;
  durationMs: number;
  /** phase -> ms, as probe_http_duration_seconds{phase} */
  phasesMs: Record<string, number>;
  statusCode: number;
}

export interface Blackbox {
  probe(registry: BenchRegistry): Promise<BlackboxProbe>;
  moduleFor(registry: BenchRegistry): string;
  stop(): Promise<void>;
}

function moduleName(registry: BenchRegistry): string {
  return `v2_${registry.mode.replace('-', '_')}`;
}

/**
 * One module per registry. 401 is a valid answer for the token registry (that is what /v2/ says
 * before a token); HTTP/2 is off because our probe speaks HTTP/1.1, so both time the same protocol.
 */
export function blackboxConfig(registries: readonly BenchRegistry[]): string {
  const lines = ['modules:'];
  for (const registry of registries) {
    lines.push(
      `  ${moduleName(registry)}:`,
      '    prober: http',
      '    timeout: 5s',
      '    http:',
      '      method: GET',
      '      valid_status_codes: [200, 401]',
      '      preferred_ip_protocol: ip4',
      '      enable_http2: false',
    );
    if (registry.caFile)
      lines.push('      tls_config:', `        ca_file: ${JSON.stringify(registry.caFile)}`);
    if (registry.mode === 'tls-basic' && registry.username && registry.password) {
      lines.push(
        '      basic_auth:',
        `        username: ${JSON.stringify(registry.username)}`,
        `        password: ${JSON.stringify(registry.password)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Parses the "Metrics that would have been returned" part of a debug=true answer (or a plain one). */
export function parseBlackboxMetrics(text: string): BlackboxProbe {
  const value = (name: string): number => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!match) throw new Error(`blackbox answer has no ${name}:\n${text.slice(0, 1500)}`);
    return Number(match[1]);
  };
  const phasesMs: Record<string, number> = {};
  for (const match of text.matchAll(/^probe_http_duration_seconds\{phase="(\w+)"\} (\S+)$/gm)) {
    phasesMs[match[1]!] = Number(match[2]) * 1000;
  }
  return {
    success: value('probe_success') === 1,
    durationMs: value('probe_duration_seconds') * 1000,
    phasesMs,
    statusCode: value('probe_http_status_code'),
  };
}

export async function startBlackbox(registries: readonly BenchRegistry[]): Promise<Blackbox> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-blackbox-'));
  const configFile = path.join(dir, 'blackbox.yml');
  await writeFile(configFile, blackboxConfig(registries), { mode: 0o600 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus-blackbox-exporter',
    [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`${base}/-/healthy`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 50 || child.exitCode !== null) throw new Error(`blackbox_exporter did not start:\n${log}`);
    await sleep(100);
  }
  return {
    moduleFor: moduleName,
    async probe(registry) {
      const url = `${base}/probe?target=${encodeURIComponent(`${registry.baseUrl}/v2/`)}&module=${moduleName(registry)}&debug=true`;
      const response = await fetch(url);
      return parseBlackboxMetrics(await response.text());
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
