#!/usr/bin/env node
// The command-line entry point. It runs the TypeScript sources through tsx so that
// `npx registry-canary` works straight after `npm ci`, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
