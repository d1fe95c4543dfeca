/**
 * The extra CA bundle (`caBundle`): read from its file while the config is validated, so a missing
 * or empty file fails synth as a ConfigError naming `caBundle.path` instead of a stack trace while
 * the stacks are built, and the bundle that was checked is the one that ships.
 */
import path from 'node:path';
import type { CanaryConfig } from './schema.ts';

type CaBundle = NonNullable<CanaryConfig['caBundle']>;

export interface CaBundleDeps {
  /** A relative `caBundle.path` is resolved against this directory: the config file's own. */
  baseDir: string;
  readFile: (absolutePath: string) => string;
  /** Where `readFrom` is relative to: the directory synth runs in (the checkout). @default process.cwd() */
  cwd?: string;
}

/** A bundle as validated: its PEM, and for a `path` bundle the file it was read from. */
export interface CheckedCaBundle {
  pem: string;
  /**
   * The file a `path` bundle was read from, relative to the directory synth ran in (the checkout),
   * so that next steps can hand the same file to `--ca-file` on the engineer's machine. Absent for
   * an inline `pem`.
   */
  readFrom?: string;
}

export type CaBundleCheck = { ok: true; bundle: CheckedCaBundle } | { ok: false; problem: string };

/** The checkout-relative file a validated bundle was read from, or undefined (inline, or not validated). */
export function caBundleFile(
  bundle: CanaryConfig['caBundle'] | CheckedCaBundle | undefined,
): string | undefined {
  if (!bundle || !('readFrom' in bundle)) return undefined;
  return typeof bundle.readFrom === 'string' && bundle.readFrom !== '' ? bundle.readFrom : undefined;
}

/** The certificates of a PEM bundle, in order; text around them (comments, keys) is dropped. */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Reads a `{ path }` bundle into `{ pem }` and checks that either form holds a certificate. */
export function checkCaBundle(bundle: CaBundle, deps: CaBundleDeps): CaBundleCheck {
  if ('pem' in bundle) {
    return pemCertificates(bundle.pem).length > 0
      ? { ok: true, bundle }
      : { ok: false, problem: 'caBundle.pem: holds no complete PEM certificate (BEGIN ... END CERTIFICATE)' };
  }
  const absolute = path.resolve(deps.baseDir, bundle.path);
  let pem: string;
  try {
    pem = deps.readFile(absolute);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `caBundle.path: cannot read ${bundle.path} (${absolute}): ${reason}` };
  }
  if (pemCertificates(pem).length === 0) {
    const what = pem.trim() === '' ? 'is empty' : 'holds no PEM certificate (BEGIN ... END CERTIFICATE)';
    return { ok: false, problem: `caBundle.path: ${bundle.path} (${absolute}) ${what}` };
  }
  const readFrom = path.relative(deps.cwd ?? process.cwd(), absolute) || absolute;
  return { ok: true, bundle: { pem, readFrom } };
}
