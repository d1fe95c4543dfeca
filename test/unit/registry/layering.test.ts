/**
 * The registry layer is the bottom of the pull path: it owns its types (functions/registry/types.ts)
 * and imports nothing from the layers built on it (the probe, publishing, handlers, the CDK app),
 * as go-containerregistry's transport imports nothing from its callers. This test reads every
 * module under functions/registry and fails on an import, re-export or dynamic import that
 * reaches above it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const REGISTRY = path.join(ROOT, 'functions/registry');
/** Layers above the registry client, by directory. */
const ABOVE = ['functions/probe', 'functions/publish', 'functions/handlers', 'functions/cost', 'lib', 'bin'];

/** Every module specifier in `source`: static imports, re-exports and dynamic imports. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The layers above that `file`'s imports reach, as repository-relative paths. */
function importsFromAbove(file: string, source: string, above: readonly string[] = ABOVE): string[] {
  return specifiers(source)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s)))
    .filter((target) => above.some((layer) => target === layer || target.startsWith(`${layer}/`)));
}

/**
 * The layers above the registry, each with what sits above it in the data flow (config -> stacks ->
 * handler -> run -> probe -> registry client; results -> metrics/state -> notifier). The run service
 * (functions/run) orchestrates probe and publishing, so it may import both, but never a handler.
 */
const UPPER_LAYERS: readonly { dir: string; above: readonly string[] }[] = [
  {
    dir: 'functions/probe',
    above: ['functions/publish', 'functions/run', 'functions/handlers', 'functions/cost', 'lib', 'bin'],
  },
  { dir: 'functions/run', above: ['functions/handlers', 'functions/cost', 'lib', 'bin'] },
  { dir: 'functions/publish', above: ['functions/run', 'functions/handlers', 'lib', 'bin'] },
];

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe('layering', () => {
  const files = modules(REGISTRY);

  it('finds the registry modules (a test that reads nothing would pass anyway)', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['registry-client.ts', 'http.ts', 'profiles.ts', 'types.ts']),
    );
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))(
    '%s imports nothing from the layers above',
    (_name, file) => {
      expect(importsFromAbove(file, readFileSync(file, 'utf8'))).toEqual([]);
    },
  );

  it('catches a type import, a re-export and a dynamic import of the probe layer', () => {
    const file = path.join(REGISTRY, 'example.ts');
    const source = [
      "import type { StepName } from '../probe/result.ts';",
      "export { probeImage } from '../probe/probe.ts';",
      "const codes = await import('../probe/codes.ts');",
      "import { ping } from './ping.ts';",
    ].join('\n');

    expect(importsFromAbove(file, source)).toEqual([
      'functions/probe/result.ts',
      'functions/probe/probe.ts',
      'functions/probe/codes.ts',
    ]);
  });
});

describe.each(UPPER_LAYERS)('layering of $dir', ({ dir, above }) => {
  const files = modules(path.join(ROOT, dir));

  it('finds its modules', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))(
    '%s imports nothing from the layers above',
    (_n, f) => {
      expect(importsFromAbove(f, readFileSync(f, 'utf8'), above)).toEqual([]);
    },
  );
});
