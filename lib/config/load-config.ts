/**
 * Loads the config the CDK app was given with `-c config=path` (a .ts, .js, .mjs or .json file)
 * or the default one, and validates it. The CDK app runs under tsx, so a .ts config is imported as
 * is; the built CLI runs plain Node, which refuses a .ts file (Node 20 has no type stripping), and
 * then, and only then, loads it through tsx's scoped loader (tsImport registers nothing globally).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.ts';
import type { CanaryConfig } from './schema.ts';
import { validateConfig } from './validate.ts';

export const DEFAULT_CONFIG_PATH = 'config/default.ts';

export async function loadConfig(
  configPath = DEFAULT_CONFIG_PATH,
  cwd = process.cwd(),
): Promise<CanaryConfig> {
  const absolute = path.resolve(cwd, configPath);
  const raw = await readModule(absolute, configPath);
  // A relative caBundle.path is relative to the config file, as people read it, not to the cwd.
  // The bundle's file is named relative to `cwd` (the checkout) in next steps' --ca-file.
  return validateConfig(raw, configPath, { baseDir: path.dirname(absolute), cwd });
}

async function readModule(absolute: string, shown: string): Promise<unknown> {
  try {
    if (absolute.endsWith('.json')) return JSON.parse(await readFile(absolute, 'utf8'));
    const module = (await importModule(pathToFileURL(absolute).href)) as { default?: unknown };
    const config = esmDefault(module.default);
    if (config === undefined) {
      throw new ConfigError(shown, [
        '(config): the module has no default export; write `export default defineConfig({...})`',
      ]);
    }
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(shown, [`(config): cannot load ${absolute}: ${reason}`], { cause: error });
  }
}

/**
 * The default export, also of a .ts config that tsx compiled as CommonJS: outside a package whose
 * package.json says "type": "module" (a config in another repository, in /etc, in a temp dir), tsx
 * treats a .ts file as CommonJS, and the namespace's `default` is then module.exports, which holds
 * the config under its own `default` (with `__esModule`).
 */
function esmDefault(value: unknown): unknown {
  if (value && typeof value === 'object' && '__esModule' in value && 'default' in value) {
    return (value as { default: unknown }).default;
  }
  return value;
}

const TYPESCRIPT = /\.[cm]?ts$/;

async function importModule(url: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !TYPESCRIPT.test(url))
      throw error;
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
}
