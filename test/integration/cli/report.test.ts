/**
 * `registry-canary report --from probe` against the real registry on loopback, and the file it
 * writes opened in headless Chromium (Debian's, driven by playwright-core): the grid has a cell per
 * target and region with its code and age, a click opens the drill-down with diagnosis, evidence,
 * next steps, runbook and the timing chart, and the page makes no request of its own. The
 * screenshot the README shows (docs/report.png) is taken here (UPDATE_REPORT_SCREENSHOT=1 writes it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../../bin/cli.ts';
import { probeImage } from '../../../functions/probe/probe.ts';
import { type Browser, browserTestsEnabled, launchBrowser } from '../harness/browser.ts';
import { buildMultiArchImage, pushImage } from '../harness/fixture.ts';
import { type RunningRegistry, registryTestsEnabled, startRegistry } from '../harness/registry.ts';

const SCREENSHOT = fileURLToPath(new URL('../../../docs/report.png', import.meta.url));

describe.runIf(registryTestsEnabled() && browserTestsEnabled())('registry-canary report in Chromium', () => {
  let registry: RunningRegistry;
  let browser: Browser;
  let dir: string;
  let reportPath: string;
  let html: string;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    await pushImage(registry, 'team/app', 'v1', buildMultiArchImage());
    dir = mkdtempSync(join(tmpdir(), 'canary-report-'));
    const configPath = join(dir, 'canary.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        homeRegion: 'eu-west-1',
        probeRegions: ['eu-west-1'],
        targets: [
          { name: 'app', image: `${registry.host}/team/app:v1`, plainHttp: true },
          {
            name: 'app-arm',
            image: `${registry.host}/team/app:v1`,
            plainHttp: true,
            platforms: ['linux/arm64'],
          },
          { name: 'app-next', image: `${registry.host}/team/app:next`, plainHttp: true },
        ],
      }),
    );
    reportPath = join(dir, 'report.html');
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      readStdin: async () => '',
      readFile: async (p) => readFileSync(p, 'utf8'),
      probe: probeImage,
    };
    const code = await main(['report', '--config', configPath, '--from', 'probe', '--out', reportPath], io);
    expect(code, err.join('\n')).toBe(0);
    expect(out.join('\n')).toBe(`wrote ${reportPath}: 3 target(s) × 1 region(s), 1 failing`);
    html = readFileSync(reportPath, 'utf8');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is one file with no external asset: no src or href to another origin, and a CSP that forbids them', () => {
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]+(src|href)=/i);
  });

  it('renders the grid, opens a drill-down with diagnosis, evidence, next steps, runbook and timings, and requests nothing', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    const url = pathToFileURL(reportPath).href;
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });

    await page.goto(url);

    const cells = page.locator('button.cell');
    await expect.poll(() => cells.count()).toBe(3);
    const failing = page.locator('button.cell.failing');
    expect(await failing.getAttribute('data-target')).toBe('app-next');
    expect(await failing.locator('.code').textContent()).toBe('MANIFEST_UNKNOWN');
    expect(await failing.locator('.age').textContent()).toBe('now');
    expect(await page.locator('button.cell.healthy').count()).toBe(2);
    // Every panel starts closed.
    expect(await page.locator('article.detail:visible').count()).toBe(0);

    await failing.click();

    const panel = page.locator('article.detail[data-target="app-next"]');
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await failing.getAttribute('aria-expanded')).toBe('true');
    expect(await panel.locator('.diagnosis').textContent()).toMatch(/^MANIFEST_UNKNOWN: /);
    expect(await panel.locator('ul.evidence li').count()).toBeGreaterThan(0);
    expect(await panel.locator('ul.next-steps li').count()).toBeGreaterThan(0);
    expect(await panel.locator('.runbook a').getAttribute('href')).toMatch(/MANIFEST_UNKNOWN\.md$/);
    // One bar per request, the probe's steps in order, each with at least one phase drawn.
    const chart = panel.locator('figure.timing-chart svg');
    expect(await chart.isVisible()).toBe(true);
    expect(await panel.locator('rect.phase').count()).toBeGreaterThan(0);
    expect(await panel.locator('figcaption').textContent()).toContain('waiting (TTFB)');
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);

    // Always taken (a page that cannot render fails here); written over docs/report.png only when
    // asked, so a test run does not leave the tree dirty: UPDATE_REPORT_SCREENSHOT=1 npx vitest run <this file>
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    if (process.env['UPDATE_REPORT_SCREENSHOT'] === '1') writeFileSync(SCREENSHOT, png);

    // A second click closes it again.
    await failing.click();
    await expect.poll(() => panel.isVisible()).toBe(false);
    expect(requests).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
