/**
 * `registry-canary report --config <file> [--from status|probe] [--out FILE]`: one self-contained
 * HTML file to share (a ticket, a chat thread): the targets × regions grid with each cell's code
 * and age, a drill-down per cell (diagnosis, evidence, next steps, runbook) and a chart of each
 * request's phases. From the state of record (every region, as `status` reads it) or from a local
 * `probe --config` run (one region, with request timings). Imported lazily by bin/cli.ts.
 */
import { writeFile as nodeWriteFile } from 'node:fs/promises';
import path from 'node:path';
import { STATE_TABLE_NAME } from '../../functions/publish/state-client.ts';
import { renderReport } from '../../functions/report/html.ts';
import { type ReportModel, reportFromProbe, reportFromStatus } from '../../functions/report/model.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { type ProbeFleetIo, probeFleet } from './probe-fleet.ts';
import { readStatusOf, type StatusIo } from './status.ts';
import { parseCommandArgs, UsageError } from './usage-error.ts';

export const DEFAULT_REPORT_FILE = 'registry-canary-report.html';

export const REPORT_USAGE = `Usage: registry-canary report --config <file> [--from status|probe] [--out FILE]
                              [--table NAME] [--region R] [--target NAME]... [--registry HOST]...

Writes one self-contained HTML file (no external assets; open it anywhere, attach it to a ticket):
a grid of targets × probe regions, each cell with its diagnosis code and age; click a cell for the
diagnosis, evidence, next steps, runbook and a chart of each request's phases.

Options:
  --config FILE    the deployment config
  --from status    from the state of record in the home region, as \`status\` reads it (default):
                   every region, no request timings (--table NAME, default ${STATE_TABLE_NAME})
  --from probe     from a \`probe --config\` run on this machine: one region (--region R), with
                   timings; --target, --registry and --auth select and authenticate as there
  --out FILE       where to write it (default ${DEFAULT_REPORT_FILE})
  -h, --help       show this help`;

export interface ReportIo extends ProbeFleetIo, StatusIo {
  /** @default fs.promises.writeFile */
  writeFile?: (file: string, content: string) => Promise<void>;
}

export async function runReport(args: string[], io: ReportIo): Promise<number> {
  const { values } = parseReportArgs(args);
  if (values.help) {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  if (!values.config) throw new UsageError('report needs --config <file>.');
  const from = values.from ?? 'status';
  if (from !== 'status' && from !== 'probe') {
    throw new UsageError(`--from ${from}: expected status or probe.`);
  }
  if (from === 'status') {
    const probeOnly = (['region', 'target', 'registry', 'auth'] as const).filter(
      (k) => values[k] !== undefined,
    );
    if (probeOnly.length) {
      throw new UsageError(
        `--${probeOnly[0]} goes with --from probe (the state of record has every region).`,
      );
    }
  } else if (values.table !== undefined) {
    throw new UsageError('--table goes with --from status.');
  }

  let model: ReportModel;
  if (from === 'status') {
    const config = await (io.loadConfig ?? ((p: string) => loadConfig(p)))(values.config);
    const status = await readStatusOf(config, values.table ?? STATE_TABLE_NAME, io);
    model = reportFromStatus(status, new Map(config.targets.map((t) => [t.name, t.image])));
  } else {
    const { runtime, outcomes } = await probeFleet(values, io, true);
    model = reportFromProbe(outcomes, runtime.region, (io.now ?? (() => new Date()))());
  }
  const out = values.out ?? DEFAULT_REPORT_FILE;
  await (io.writeFile ?? ((f: string, c: string) => nodeWriteFile(f, c, 'utf8')))(out, renderReport(model));
  const failing = model.cells.filter((c) => c.status === 'failing').length;
  io.stdout(
    `wrote ${path.resolve(out)}: ${model.targets.length} target(s) × ${model.regions.length} region(s), ${failing} failing`,
  );
  return 0;
}

function parseReportArgs(args: string[]) {
  return parseCommandArgs({
    args,
    strict: true,
    options: {
      config: { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      target: { type: 'string', multiple: true },
      registry: { type: 'string', multiple: true },
      auth: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
