/**
 * The report as one self-contained HTML file: styles, script and charts inline, nothing fetched.
 * A Content-Security-Policy of `default-src 'none'` makes that a rule the browser enforces, not a
 * habit: a later change that adds a font or a CDN script shows up as a blocked request (and fails
 * the Chromium test), not as a report that phones home when opened from a ticket.
 *
 * Every value from a registry (evidence, summaries, URLs) is escaped here, once, by `text()`; the
 * script only toggles which pre-rendered panel is shown, so it never builds markup from data.
 */
import { formatAge } from './age.ts';
import type { ReportCell, ReportModel } from './model.ts';

/** The phases of one request, in the order they happen (functions/registry/timing.ts). */
export const PHASES = [
  { key: 'dnsMs', label: 'DNS', colour: '#7b61ff' },
  { key: 'connectMs', label: 'connect', colour: '#f29d38' },
  { key: 'tlsMs', label: 'TLS', colour: '#d64f7d' },
  { key: 'ttfbMs', label: 'waiting (TTFB)', colour: '#2f8fce' },
  { key: 'restMs', label: 'body', colour: '#5bb974' },
] as const;

const STATUS_LABEL: Record<ReportCell['status'], string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  failing: 'failing',
  silent: 'silent',
  'no-result': 'no result',
};

export function text(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A runbook link only for http(s): a registry's text must not become a javascript: URL. */
function safeHref(url: string): string | null {
  return /^https?:\/\//i.test(url) ? text(url) : null;
}

/** Panels are numbered, not named after target and region: `a.b` and `a_b` must not share an id. */
function cellIds(model: ReportModel): Map<ReportCell, string> {
  return new Map(model.cells.map((cell, i) => [cell, `cell-${i}`]));
}

function cellData(cell: ReportCell): string {
  return `data-target="${text(cell.target)}" data-region="${text(cell.region)}"`;
}

export function renderReport(model: ReportModel): string {
  const now = Date.parse(model.generatedAt);
  const ids = cellIds(model);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(model.title)} — ${text(model.generatedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${text(model.title)}</h1>
<p class="meta">Generated ${text(model.generatedAt)} from ${text(model.source)}.</p>
</header>
${renderIncidents(model, now)}
<section aria-label="status grid">
<h2>Targets × regions</h2>
${renderGrid(model, ids)}
<p class="legend">${(['healthy', 'degraded', 'failing', 'silent', 'no-result'] as const)
    .map((s) => `<span class="chip ${s}">${STATUS_LABEL[s]}</span>`)
    .join(' ')} — click a cell for its diagnosis, evidence, next steps and timings.</p>
</section>
<section id="details" aria-label="details">
${model.cells.map((cell) => renderDetail(cell, ids.get(cell)!)).join('\n')}
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function renderIncidents(model: ReportModel, now: number): string {
  const silent = model.silentRegions.length
    ? `<p class="warn" id="silent-regions">Silent probe regions: ${model.silentRegions.map(text).join(', ')}</p>`
    : '';
  if (model.incidents.length === 0) return `<section aria-label="incidents">${silent}</section>`;
  const items = model.incidents
    .map((i) => {
      return `<li><strong>${text(`${i.severity} ${i.cause} ${i.subject}`)}</strong> open ${text(
        formatAge(now - Date.parse(i.openedAt)),
      )}, members: ${i.members.map(text).join(', ') || '-'}</li>`;
    })
    .join('');
  return `<section aria-label="incidents"><h2>Open incidents</h2><ul class="incidents">${items}</ul>${silent}</section>`;
}

function renderGrid(model: ReportModel, ids: Map<ReportCell, string>): string {
  const byKey = new Map(model.cells.map((c) => [`${c.target}\u0000${c.region}`, c]));
  const head = `<tr><th scope="col">target</th>${model.regions.map((r) => `<th scope="col">${text(r)}</th>`).join('')}</tr>`;
  const rows = model.targets.map((t) => {
    const cells = model.regions.map((region) => {
      const cell = byKey.get(`${t.name}\u0000${region}`);
      if (!cell) return '<td class="na">not probed here</td>';
      const age = cell.ageMs === null ? '' : cell.ageMs === 0 ? 'now' : `${formatAge(cell.ageMs)} ago`;
      return `<td><button type="button" class="cell ${cell.status}" ${cellData(cell)} data-cell="${ids.get(cell)}" aria-controls="${ids.get(cell)}" aria-expanded="false"><span class="code">${text(
        cell.code ?? STATUS_LABEL[cell.status],
      )}</span><span class="age">${text(age)}</span></button></td>`;
    });
    return `<tr><th scope="row"><span class="name">${text(t.name)}</span><span class="image">${text(t.image)}</span></th>${cells.join('')}</tr>`;
  });
  return `<table class="grid"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderDetail(cell: ReportCell, id: string): string {
  const list = (items: string[], cls: string) =>
    items.length
      ? `<ul class="${cls}">${items.map((i) => `<li><code>${text(i)}</code></li>`).join('')}</ul>`
      : '<p>-</p>';
  const runbook = cell.runbook ? safeHref(cell.runbook) : null;
  const status =
    cell.status === 'silent'
      ? `silent (last result ${cell.lastStatus ?? '-'}, ${cell.ageMs === null ? '' : formatAge(cell.ageMs)} old)`
      : STATUS_LABEL[cell.status];
  return `<article class="detail" id="${id}" ${cellData(cell)} hidden>
<h2>${text(cell.target)} in ${text(cell.region)}: <span class="chip ${cell.status}">${text(status)}</span></h2>
<p class="ref">${text(cell.ref ?? '')}${cell.durationMs === null ? '' : ` — ${Math.round(cell.durationMs)} ms`}</p>
<h3>Diagnosis</h3>
<p class="diagnosis">${cell.code ? `<strong>${text(cell.code)}</strong>: ` : ''}${text(cell.summary ?? (cell.status === 'no-result' ? 'No result stored for this region.' : 'No problem found.'))}</p>
${cell.warnings.length ? `<h3>Warnings</h3><ul>${cell.warnings.map((w) => `<li><strong>${text(w.code)}</strong>: ${text(w.summary)}</li>`).join('')}</ul>` : ''}
<h3>Evidence</h3>
${list(cell.evidence, 'evidence')}
<h3>Next steps</h3>
${list(cell.nextSteps, 'next-steps')}
<h3>Runbook</h3>
<p class="runbook">${runbook ? `<a href="${runbook}" rel="noreferrer noopener" target="_blank">${runbook}</a>` : '-'}</p>
<h3>Timings</h3>
${timingChart(cell)}
</article>`;
}

/**
 * One bar per request, its phases stacked on one time axis shared by the probe's requests, so a
 * slow token exchange stands out beside fast manifest reads. SVG, inline: no chart library.
 */
export function timingChart(cell: ReportCell): string {
  if (cell.steps.length === 0) {
    return '<p class="no-timings">No request timings: the state of record keeps only the result (run <code>report --from probe</code> for them).</p>';
  }
  const rows = cell.steps.map((step) => {
    const t = step.timings;
    const known = (t.dnsMs ?? 0) + (t.connectMs ?? 0) + (t.tlsMs ?? 0) + (t.ttfbMs ?? 0);
    const parts: Record<(typeof PHASES)[number]['key'], number> = {
      dnsMs: t.dnsMs ?? 0,
      connectMs: t.connectMs ?? 0,
      tlsMs: t.tlsMs ?? 0,
      ttfbMs: t.ttfbMs ?? 0,
      restMs: Math.max(0, t.totalMs - known),
    };
    return { step, parts, total: Math.max(t.totalMs, known) };
  });
  const max = Math.max(1, ...rows.map((r) => r.total));
  const labelWidth = 150;
  const barWidth = 480;
  const rowHeight = 22;
  const height = rows.length * rowHeight + 24;
  const bars = rows
    .map(({ step, parts, total }, i) => {
      const y = i * rowHeight + 4;
      let x = labelWidth;
      const rects = PHASES.map((phase) => {
        const w = (parts[phase.key] / max) * barWidth;
        const rect =
          w > 0
            ? `<rect class="phase" data-phase="${phase.key}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="14" fill="${phase.colour}"><title>${text(
                `${step.name} ${phase.label}: ${parts[phase.key].toFixed(1)} ms`,
              )}</title></rect>`
            : '';
        x += w;
        return rect;
      }).join('');
      const status = step.status === null ? '-' : String(step.status);
      return `<text x="0" y="${y + 11}">${text(`${step.name} ${step.method} ${status}`)}</text>${rects}<text x="${(x + 4).toFixed(1)}" y="${y + 11}">${total.toFixed(1)} ms</text>`;
    })
    .join('');
  const legend = PHASES.map(
    (p) => `<span class="swatch" style="background:${p.colour}"></span>${text(p.label)}`,
  ).join(' ');
  return `<figure class="timing-chart"><svg role="img" aria-label="timing of each request" width="${labelWidth + barWidth + 80}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 80} ${height}">${bars}</svg><figcaption>${legend}</figcaption></figure>`;
}

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #f7f8fa; }
body { margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { font-size: 17px; margin: 20px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 4px; color: #4a5263; }
.meta { color: #5c6577; margin: 0; }
table.grid { border-collapse: collapse; background: #fff; box-shadow: 0 1px 2px #0002; }
.grid th, .grid td { border: 1px solid #dde1e8; padding: 6px 8px; text-align: left; vertical-align: middle; }
.grid th[scope=row] .name { display: block; font-weight: 600; }
.grid th[scope=row] .image { display: block; font-weight: 400; font-size: 12px; color: #5c6577; font-family: ui-monospace, monospace; }
button.cell { display: flex; flex-direction: column; min-width: 150px; border: 0; border-radius: 6px; padding: 6px 10px; cursor: pointer; text-align: left; font: inherit; }
button.cell .code { font-weight: 600; font-size: 13px; }
button.cell .age { font-size: 12px; opacity: .8; }
button.cell[aria-expanded=true] { outline: 3px solid #1d2330; }
.healthy { background: #d8f3df; color: #14532d; }
.degraded { background: #fff1c2; color: #6b4c00; }
.failing { background: #ffd6d6; color: #7f1d1d; }
.silent { background: #e4e1f5; color: #3b2f7a; }
.no-result { background: #eceef2; color: #4a5263; }
.na { color: #8a93a5; font-size: 12px; }
.chip { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; }
.legend { font-size: 13px; color: #4a5263; }
.warn { background: #fff1c2; padding: 6px 10px; border-radius: 6px; }
article.detail { background: #fff; margin-top: 16px; padding: 4px 16px 16px; border-radius: 8px; box-shadow: 0 1px 2px #0002; }
article.detail code { white-space: pre-wrap; word-break: break-word; font-size: 12px; }
.timing-chart svg text { font: 11px ui-monospace, monospace; fill: #1d2330; }
.timing-chart figcaption { font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; border-radius: 2px; }
`;

const SCRIPT = `
document.querySelectorAll('button.cell').forEach(function (button) {
  button.addEventListener('click', function () {
    var id = button.getAttribute('data-cell');
    var open = button.getAttribute('aria-expanded') === 'true';
    document.querySelectorAll('article.detail').forEach(function (a) { a.hidden = true; });
    document.querySelectorAll('button.cell').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
    if (!open) {
      var panel = document.getElementById(id);
      panel.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      panel.scrollIntoView({ block: 'nearest' });
    }
  });
});
`;
