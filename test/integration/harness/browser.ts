/**
 * Debian's Chromium driven by playwright-core, for tests of pages this project writes (the HTML
 * report). Playwright's own browser download does not run on these machines; Debian's `chromium`
 * does (.ci/run installs it). The flags keep it off the network: without the background-networking
 * ones, Chromium opens connections of its own at start-up (component updates, sync, QUIC probes).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when Chromium is installed; under CI=true a missing browser is a failure, not a skip. */
export function browserTestsEnabled(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['CI'] === 'true')
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  console.warn(`skipping browser tests: ${CHROMIUM_PATH} is missing (sudo apt-get install chromium)`);
  return false;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'canary-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
