/**
 * The package's version, from package.json. A default import: a JSON module has no named exports
 * (import attributes, and esbuild, follow that), and this module is loaded only for --version.
 */
import pkg from '../package.json' with { type: 'json' };

export const version: string = pkg.version;
