#!/usr/bin/env node
// The command-line entry point: runs the CLI that `npm ci` built into dist/cli/ (the `prepare`
// script, scripts/build-cli.mjs). REGISTRY_CANARY_FROM_SOURCE=1 runs the TypeScript sources through
// tsx instead, for working on the CLI without rebuilding.
import { setFlagsFromString } from 'node:v8';

// Why the process lingered 170–390 ms after printing its result (measured on this machine: the
// event loop empty, the main thread blocked on a futex until a V8 worker thread woke it; gone with
// --liftoff-only, and with --no-wasm-tier-up plus --no-wasm-dynamic-tiering, present with either
// alone): undici parses HTTP with llhttp compiled to WebAssembly, V8 compiles it first with its
// baseline compiler (Liftoff) and then re-compiles it with TurboFan in the background, and the
// process cannot exit before that background compilation is done. A CLI run parses a few KB of
// headers; optimized parser code never pays for itself. Both flags are V8's own
// (`node --v8-options`: "enable tier up to the optimizing compiler", "enable dynamic tier up to
// the optimizing compiler"); set here, before undici compiles the module on the first connection
// (node_modules/undici/lib/dispatcher/client-h1.js, lazyllhttp), as node:v8 setFlagsFromString
// allows (https://nodejs.org/api/v8.html#v8setflagsfromstringflags). The Lambda, which serves
// many invocations from one process, keeps the default tiering.
setFlagsFromString('--no-wasm-tier-up');
setFlagsFromString('--no-wasm-dynamic-tiering');

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
