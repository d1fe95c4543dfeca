/**
 * Every diagnosis and warning code links to docs/runbooks/<CODE>.md (runbookUrl), so every code
 * needs a page, and every page needs what the person paged at 3 a.m. looks for: what it means,
 * how to confirm it (with commands to paste), and how to fix it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIAGNOSIS_CODES, runbookUrl, WARNING_CODES } from '../../functions/probe/codes.ts';

const RUNBOOKS = fileURLToPath(new URL('../../docs/runbooks/', import.meta.url));
const SECTIONS = ['## What it means', '## How to confirm', '## How to fix'] as const;
/** Pages for the alarms on the canary itself (its dead-letter queues), linked from their descriptions. */
const ALARM_PAGES = ['PROBE_DLQ', 'NOTIFIER_DLQ'] as const;
const ALL_CODES = [...DIAGNOSIS_CODES, ...WARNING_CODES];
const ALL_PAGES = [...ALL_CODES, ...ALARM_PAGES];

function page(code: string): string {
  return readFileSync(`${RUNBOOKS}${code}.md`, 'utf8');
}

/** The text of one `## ` section, up to the next `## ` heading. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) return '';
  const rest = text.slice(start + heading.length);
  const next = rest.search(/\n## /);
  return (next < 0 ? rest : rest.slice(0, next)).trim();
}

describe('runbooks', () => {
  it.each(ALL_PAGES)('has a page for %s titled with its code', (code) => {
    expect(page(code).split('\n')[0]).toMatch(new RegExp(`^# ${code}: \\S`));
  });

  it.each(ALL_PAGES)('has the three sections in order, none empty, on the page for %s', (code) => {
    const text = page(code);
    const positions = SECTIONS.map((heading) => text.indexOf(`${heading}\n`));

    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const heading of SECTIONS) expect(section(text, heading).length, heading).toBeGreaterThan(80);
  });

  it.each(ALL_PAGES)('gives commands to paste in "How to confirm" for %s', (code) => {
    const confirm = section(page(code), '## How to confirm');

    expect(confirm).toMatch(/```sh\n[\s\S]+?\n```/);
  });

  it('has no page for a code that does not exist, besides the index', () => {
    const pages = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md') && f !== 'README.md');

    expect(pages.map((f) => f.replace(/\.md$/, '')).sort()).toEqual([...ALL_PAGES].sort());
  });

  it('lists every code in the index', () => {
    const index = readFileSync(`${RUNBOOKS}README.md`, 'utf8');

    for (const code of ALL_PAGES) expect(index).toContain(`[${code}](${code}.md)`);
  });

  it('matches the file names runbookUrl links to', () => {
    for (const code of ALL_CODES)
      expect(runbookUrl(code, 'https://x.test/docs/runbooks/')).toBe(
        `https://x.test/docs/runbooks/${code}.md`,
      );
  });
});
