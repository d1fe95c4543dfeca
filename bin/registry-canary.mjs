#!/usr/bin/env node
// The command-line entry point. `npx registry-canary` works straight after `npm ci`, with no build
// step to forget: load-cli.mjs runs the TypeScript sources, bundled on first use (see there).
import { loadCli } from './load-cli.mjs';

const argv = process.argv.slice(2);
const { main } = await loadCli(argv);
process.exitCode = await main(argv);
