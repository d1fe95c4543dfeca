/** Renders the bench results as the measured part of bench/RESULTS.md. */

import { goalRows, renderGoals } from './goals.ts';
import type { Summary } from './lib/stats.ts';
import type { BundleResult } from './scenarios/bundle.ts';
import type { CliImportResult } from './scenarios/cli-import.ts';
import type { CliVsSkopeoResult } from './scenarios/cli-vs-skopeo.ts';
import type { OverheadResult } from './scenarios/overhead.ts';
import type { PingVsBlackboxResult } from './scenarios/ping-vs-blackbox.ts';
import type { ScalePoint, ShardedFleet } from './scenarios/scale.ts';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  loadBefore: number[];
  loadAfter: number[];
  /** The busiest other processes at the start, from ps. */
  busiestProcesses: string[];
}

export interface ScaleSizing {
  targets: number;
  memoryMb: number;
  timeoutSeconds: number;
}

export interface BenchResults {
  date: string;
  command: string;
  commit: string;
  durationSeconds: number;
  machine: MachineInfo;
  cliVsSkopeo: CliVsSkopeoResult[];
  pingVsBlackbox: PingVsBlackboxResult[];
  overhead: OverheadResult[];
  scale: ScalePoint[];
  sizing: ScaleSizing[];
  sharded: ShardedFleet | null;
  bundle: BundleResult | null;
  /** How long the CLI spends importing its modules. */
  cliImport?: CliImportResult | null;
  /** Scenarios that could not run, with the reason. */
  notDone: string[];
}

export const BEGIN = '<!-- bench:begin (written by npm run bench; edit outside these markers) -->';
export const END = '<!-- bench:end -->';

const ms = (s: Summary | null | undefined, digits = 1): string =>
  s ? `${s.median.toFixed(digits)} (${s.p10.toFixed(digits)}–${s.p90.toFixed(digits)})` : '—';
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
}

export function renderResults(r: BenchResults, previous: Partial<BenchResults> | null = null): string {
  const out: string[] = [
    BEGIN,
    '',
    `- **Date:** ${r.date} (commit \`${r.commit}\`), whole run ${r.durationSeconds.toFixed(0)} s`,
    `- **Command:** \`${r.command}\``,
    `- **Machine:** ${r.machine.cores} × ${r.machine.cpuModel}, ${r.machine.memoryGb.toFixed(0)} GiB, ${r.machine.os}, Node ${r.machine.node}`,
    `- **Load average (1/5/15 min):** before ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after ${r.machine.loadAfter.map((l) => l.toFixed(2)).join(' / ')}`,
    `- **Busiest other processes at start (ps, %CPU):** ${r.machine.busiestProcesses.length ? r.machine.busiestProcesses.join('; ') : 'none above 1%'}`,
    '',
    'Every figure is the median with p10–p90 in brackets, in milliseconds unless marked. Contenders ran',
    'alternately (A B, B A, ...) after untimed warm-up rounds, against the same registry and image.',
    '',
  ];

  out.push(...renderGoals(goalRows(r, previous)));
  if (previous?.date) out.push(`Previous run: ${previous.date} (commit \`${previous.commit}\`).`, '');

  out.push('### 1. `registry-canary probe --json` vs `skopeo inspect`, whole process', '');
  out.push(
    ...table(
      [
        'Auth mode',
        'probe process',
        'skopeo process',
        'probe / skopeo',
        'probe in-process (durationMs)',
        "`node -e ''` floor",
        'probe process − floor',
        'probe steps',
      ],
      r.cliVsSkopeo.map((c) => [
        c.mode,
        ms(c.probeProcess, 0),
        ms(c.skopeoProcess, 0),
        x(c.probeProcess.median, c.skopeoProcess.median),
        ms(c.probeInProcess),
        ms(c.nodeFloor, 0),
        (c.probeProcess.median - c.nodeFloor.median).toFixed(0),
        c.probeSteps.join(' → '),
      ]),
    ),
  );

  out.push('### 2. Our ping step vs blackbox_exporter (http prober, GET /v2/, fresh connection)', '');
  out.push(
    ...table(
      [
        'Auth mode',
        'ours (ping step total)',
        'blackbox (probe_duration_seconds)',
        'ours / blackbox',
        'blackbox status',
      ],
      r.pingVsBlackbox.map((p) => [
        p.mode,
        ms(p.oursTotal, 2),
        ms(p.blackboxTotal, 2),
        x(p.oursTotal.median, p.blackboxTotal.median),
        String(p.blackboxStatus),
      ]),
    ),
  );
  out.push(
    'Phases as each tool reports them (ours: dns, connect, tls, ttfb; theirs: resolve, connect, tls, processing, transfer):',
    '',
  );
  out.push(
    ...table(
      ['Auth mode', 'Phase', 'ours', 'blackbox'],
      r.pingVsBlackbox.flatMap((p) =>
        p.phases.map((ph) => [p.mode, ph.phase, ms(ph.ours, 3), ms(ph.blackbox, 3)]),
      ),
    ),
  );

  out.push('### 3. Overhead over the network (fault proxy adding a fixed delay per request)', '');
  out.push(
    ...table(
      [
        'Auth mode',
        'delay',
        'requests',
        'probe duration via proxy',
        'duration − requests × delay',
        'probe duration direct',
      ],
      r.overhead.map((o) => [
        o.mode,
        `${o.delayMs} ms`,
        String(o.requests),
        ms(o.proxiedDurationMs),
        ms(o.ownMs),
        ms(o.directDurationMs),
      ]),
    ),
  );
  out.push(
    "How far each step's measured time sits from the injected delay (proxied − delay should equal direct):",
    '',
  );
  out.push(
    ...table(
      ['Auth mode', 'Step', 'delayed', 'direct total', 'proxied total − delay', 'proxied ttfb − delay'],
      r.overhead.flatMap((o) =>
        o.steps.map((s) => [
          o.mode,
          s.step,
          s.throughProxy ? 'yes' : 'no (other host)',
          ms(s.directMs, 2),
          ms(s.proxiedMinusDelayMs, 2),
          ms(s.proxiedTtfbMinusDelayMs, 2),
        ]),
      ),
    ),
  );

  out.push(
    '### 4. Scale: targets in one handler invocation (fresh process each, AWS mocked at the SDK boundary)',
    '',
  );
  out.push(
    ...table(
      [
        'Targets',
        'concurrency',
        'wall',
        'slowest target',
        'median target',
        'wall / slowest',
        'CPU / wall',
        'peak RSS',
        'Lambda memory (CDK sizing)',
        'sized timeout',
        'log bytes / target',
        'healthy / failing',
      ],
      r.scale.map((p) => {
        const sizing = r.sizing.find((s) => s.targets === p.targets);
        return [
          String(p.targets),
          String(p.concurrency),
          p.wallMs.toFixed(0),
          p.slowestTargetMs.toFixed(0),
          p.medianTargetMs.toFixed(0),
          `${p.wallOverSlowest.toFixed(2)}×`,
          p.cpuMs === undefined ? '—' : `${(p.cpuMs / p.wallMs).toFixed(2)}`,
          `${p.maxRssMb.toFixed(0)} MB`,
          sizing ? `${sizing.memoryMb} MB` : '—',
          sizing ? `${sizing.timeoutSeconds} s` : '—',
          p.logBytesPerTarget.toFixed(0),
          `${p.healthy} / ${p.failing}`,
        ];
      }),
    ),
  );

  if (r.sharded) {
    const f = r.sharded;
    out.push(
      `The same ${f.targets} targets every ${f.everyMinutes} min, as deployed: lib/config/shards.ts splits them into ${f.shards} shards, one schedule each, one function sized ${f.memoryMb} MB / ${f.timeoutSeconds} s. Each shard ran as its own fresh process with its \`{ shard, shards }\` event; on Lambda they run at once, so the fleet takes as long as its slowest shard: **${(f.fleetWallMs / 1000).toFixed(2)} s** (vs ${f.everyMinutes * 60} s between runs), highest shard peak RSS **${f.maxShardRssMb.toFixed(0)} MB** (vs ${f.memoryMb} MB).`,
      '',
    );
    out.push(
      ...table(
        ['Shard', 'targets', 'wall', 'slowest target', 'wall / slowest', 'peak RSS', 'healthy / failing'],
        f.perShard.map((p, i) => [
          String(i),
          String(p.targets),
          p.wallMs.toFixed(0),
          p.slowestTargetMs.toFixed(0),
          `${p.wallOverSlowest.toFixed(2)}×`,
          `${p.maxRssMb.toFixed(0)} MB`,
          `${p.healthy} / ${p.failing}`,
        ]),
      ),
    );
  }

  if (r.bundle) {
    const b = r.bundle;
    out.push(
      `### 5. The Lambda bundle (esbuild ${b.esbuild}, scripts/build-probe-lambda.mjs: ESM, minified, split, SDK bundled)`,
      '',
    );
    if (b.probe.startupBytes !== undefined)
      out.push(
        `The probe's entry and the chunks it imports statically: ${b.probe.startupBytes.toLocaleString('en-US')} bytes; every output, the lazy chunks (Google auth, ECR, STS, SSO) included: ${b.probe.totalBytes?.toLocaleString('en-US')} bytes.`,
        '',
      );
    out.push(
      ...table(
        ['Bundle', 'bytes', 'import in a fresh process', 'whole process (start, import, exit)'],
        [
          [
            `probe handler (${b.entry})`,
            b.probe.bytes.toLocaleString('en-US'),
            ms(b.probe.importMs),
            ms(b.probe.processMs, 0),
          ],
          [
            'minimal handler',
            b.minimal.bytes.toLocaleString('en-US'),
            ms(b.minimal.importMs),
            ms(b.minimal.processMs, 0),
          ],
          [
            'ratio',
            x(b.probe.bytes, b.minimal.bytes),
            x(b.probe.importMs.median, b.minimal.importMs.median),
            x(b.probe.processMs.median, b.minimal.processMs.median),
          ],
        ],
      ),
    );
  }

  if (r.cliImport) {
    const c = r.cliImport;
    out.push('### 6. CLI import time (fresh process, import of dist/cli/cli.js)', '');
    out.push(
      ...table(
        ['Contender', 'import (in-process)', 'whole process'],
        [
          ['dist/cli/cli.js', ms(c.importMs), ms(c.importProcessMs, 0)],
          ["`node -e ''`", '—', ms(c.nodeFloor, 0)],
          ['ratio', '—', x(c.importProcessMs.median, c.nodeFloor.median)],
        ],
      ),
    );
  }

  if (r.notDone.length) {
    out.push('### Not measured in this run', '', ...r.notDone.map((n) => `- ${n}`), '');
  }
  out.push(END);
  return out.join('\n');
}

/** Replaces the measured part of RESULTS.md, keeping what was written around it. */
export function spliceResults(existing: string, rendered: string): string {
  const begin = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  if (begin === -1 || end === -1) return `${existing.trimEnd()}\n\n${rendered}\n`;
  return existing.slice(0, begin) + rendered + existing.slice(end + END.length);
}
