/** A config that cannot be deployed. The message lists every problem as `field.path: problem`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `Invalid registry-canary config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      options,
    );
  }
}

/** Renders a zod issue path the way people write it: targets[2].image. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(config)' : out;
}
