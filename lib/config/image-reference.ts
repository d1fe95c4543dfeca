/**
 * Checks an image reference at synth with the engine's own parser (so synth and the probe agree on
 * what a reference means) and splits it into registry host and repository, which the stacks need
 * for IAM (ECR repositories), alarm choices (rate-limited registries) and results the handler builds.
 */
import { InvalidReferenceError } from '../../functions/registry/errors.ts';
import { parseReference } from '../../functions/registry/reference.ts';

export type ImageReferenceCheck =
  | { ok: true; registry: string; repository: string; reference: string }
  | { ok: false; reason: string };

export function checkImageReference(ref: string): ImageReferenceCheck {
  try {
    const parsed = parseReference(ref);
    return {
      ok: true,
      registry: parsed.registry,
      repository: parsed.repository,
      reference: parsed.reference,
    };
  } catch (error) {
    if (error instanceof InvalidReferenceError) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** The split reference of a config that already passed validation. */
export function splitReference(ref: string): { registry: string; repository: string; reference: string } {
  const check = checkImageReference(ref);
  if (!check.ok) throw new Error(`invalid reference "${ref}": ${check.reason}`);
  // Only the three parts: the result is spread into probe-config.json, which has no `ok`.
  return { registry: check.registry, repository: check.repository, reference: check.reference };
}

/**
 * A mirror's reference as probed: as written when it names a tag or digest, else with the target's
 * own (mirror.gcr.io/library/alpine for alpine:3.20 is mirror.gcr.io/library/alpine:3.20), so the
 * two are compared at the same reference. Both must already be valid references.
 */
export function mirrorImage(mirror: string, primary: string): string {
  const text = mirror.trim();
  const lastSlash = text.lastIndexOf('/');
  // The parser's own rule (functions/registry/reference.ts): a tag is a ":" after the last "/".
  if (text.includes('@') || text.lastIndexOf(':') > lastSlash) return text;
  const { tag, digest } = parseReference(primary);
  return `${text}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`;
}
