/**
 * What `registry-canary probe` loads before its first line runs: the static closure of dist/cli/cli.js
 * (the chunks it imports with import statements, transitively), read from the esbuild metafile the
 * build writes (scripts/build-cli.mjs; test/global-build.ts builds it before the tests). The AWS SDK,
 * google-auth-library, zod (config files only), tsx and the cost model must stay behind dynamic
 * imports: a probe of a plain registry never needs them, and each costs tens of milliseconds of
 * every start. Timings are the bench's (npm run bench); this test pins the cause, not the time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations.
import { CLI_METAFILE } from '../../../scripts/build-cli.mjs';
import * as bundling from '../../../scripts/bundling/options.mjs';

type Loaded = { inputs: string[]; externals: string[] };
const { staticallyLoaded } = bundling;

/** Packages (bundled or external) the start-up chunk must not load. */
// tldts: the public suffix list, only for a credentialed token realm on another host (public-suffix.ts).
const LAZY_ONLY = [/^@aws-sdk\//, /^@smithy\//, /^google-auth-library/, /^gaxios/, /^zod/, /^tsx/, /^tldts/];
/** Project modules the start-up chunk must not load. */
const LAZY_PROJECT = [/^functions\/cost\//, /^lib\/config\//, /^functions\/credentials\/(aws|google|ecr)/];

function packageOf(input: string): string | null {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return null;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

function violations(loaded: Loaded): string[] {
  const packages = [
    ...loaded.inputs.map(packageOf).filter((p): p is string => p !== null),
    ...loaded.externals,
  ];
  const project = loaded.inputs.filter((i) => packageOf(i) === null);
  return [
    ...new Set([
      ...packages.filter((p) => LAZY_ONLY.some((re) => re.test(p))),
      ...project.filter((i) => LAZY_PROJECT.some((re) => re.test(i))),
    ]),
  ];
}

describe('the CLI start-up chunk (dist/cli/cli.js)', () => {
  const metafile = JSON.parse(readFileSync(CLI_METAFILE, 'utf8')) as Metafile;
  const entry = Object.keys(metafile.outputs).find((o) => o.endsWith('dist/cli/cli.js'))!;
  const loaded = staticallyLoaded(metafile, entry);

  it('loads no AWS SDK, Google auth, zod, tsx, config loader or cost model', () => {
    expect(loaded.inputs).toContain('bin/cli.ts');
    expect(violations(loaded)).toEqual([]);
  });

  it('still reaches the AWS SDK and Google auth, through dynamic imports (so they are chunks of their own)', () => {
    const dynamic = Object.values(metafile.outputs).flatMap((o) =>
      (o.imports ?? []).filter((i) => i.kind === 'dynamic-import').map((i) => i.path),
    );
    const lazyPackages = Object.entries(metafile.outputs)
      .filter(([output]) => dynamic.includes(output))
      .flatMap(([, o]) => (o.imports ?? []).filter((i) => i.external).map((i) => i.path));
    expect(lazyPackages).toEqual(expect.arrayContaining(['@aws-sdk/client-sts', 'google-auth-library']));
  });

  it("bundles undici's client, not its index (no fetch, WebSocket, cache storage or mock agents)", () => {
    const undici = loaded.inputs
      .filter((i) => packageOf(i) === 'undici')
      .map((i) => i.split('undici/')[1] ?? i);
    expect(undici).toContain('lib/dispatcher/client.js');
    expect(undici).toContain('lib/dispatcher/proxy-agent.js');
    for (const unused of ['index.js', 'lib/web/websocket/websocket.js', 'lib/web/cache/cachestorage.js'])
      expect(undici).not.toContain(unused);
    expect(undici.some((i) => i.startsWith('lib/mock/'))).toBe(false);
  });

  it('the check sees a static import of the AWS SDK through a shared module (so it would catch one)', async () => {
    // The same closure walk over a build where the entry statically imports a module that imports
    // the SDK: the violation must be reported, or the tests above prove nothing.
    const dir = path.resolve('test/unit/cli/fixtures/startup-imports');
    const result = await build({
      entryPoints: [path.join(dir, 'entry.ts')],
      outdir: '/virtual-out',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      write: false,
      metafile: true,
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    });
    const fixtureEntry = Object.keys(result.metafile.outputs).find((o) => o.endsWith('entry.js'))!;
    expect(violations(staticallyLoaded(result.metafile, fixtureEntry))).toEqual(['@aws-sdk/client-sts']);
  });
});
