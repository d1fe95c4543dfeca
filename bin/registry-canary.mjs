#!/usr/bin/env node
// The command-line entry point: runs the CLI that `npm ci` built into dist/cli/ (the `prepare`
// script, scripts/build-cli.mjs). REGISTRY_CANARY_FROM_SOURCE=1 runs the TypeScript sources through
// tsx instead, for working on the CLI without rebuilding.
const fromSource = process.env.REGISTRY_CANARY_FROM_SOURCE === '1';
const built = new URL('../dist/cli/cli.js', import.meta.url);

async function loadCli() {
  if (fromSource) {
    const { register } = await import('tsx/esm/api');
    register();
    return import('./cli.ts');
  }
  try {
    return await import(built.href);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(built.pathname)) {
      process.stderr.write(
        'registry-canary: the CLI is not built (dist/cli/cli.js is missing). Run `npm run build:cli`; ' +
          '`npm ci` runs it as the prepare script unless scripts are disabled (--ignore-scripts).\n',
      );
      process.exit(2);
    }
    throw error;
  }
}

const argv = process.argv.slice(2);
const { main } = await loadCli();
process.exitCode = await main(argv);
