// What the probe uses of undici, and nothing else: bundles (the CLI's dist/cli and the probe
// Lambda) resolve `undici` here instead of its package index (scripts/bundling/options.mjs).
//
// Why: undici's index.js requires every part of the package up front (fetch, WebSocket, the cache
// stores, the mock agents, EventSource), and a CommonJS module cannot be tree-shaken, so bundling
// the index put 1.08 MB of undici into the CLI and cost its start-up the parsing of all of it.
// These are the same modules the index re-exports (node_modules/undici/index.js: Client from
// ./lib/dispatcher/client, ProxyAgent from ./lib/dispatcher/proxy-agent, buildConnector from
// ./lib/core/connect), so behaviour is the package's own; tests run against the full index.
//
// The index also mixes the request API into Dispatcher.prototype (`Object.assign(
// Dispatcher.prototype, api)`); http.ts calls `dispatcher.request(...)`, so this entry does the same.
// A name imported from 'undici' that this file does not export fails the build (esbuild: "No
// matching export"), never a run.
import api from 'undici/lib/api/index.js';
import buildConnector from 'undici/lib/core/connect.js';
import Client from 'undici/lib/dispatcher/client.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js';

Object.assign(Dispatcher.prototype, api);

export { buildConnector, Client, Dispatcher, ProxyAgent };
