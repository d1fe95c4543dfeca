/**
 * A target and its mirrors, as one result: the target's own (primary) result stays the result,
 * and the mirrors, each probed as the target is, add to it.
 *
 * - Every mirror is listed in `mirrors` (image, status, code, digest, duration), in config order.
 * - The primary passes and a passing mirror serves another digest for the same reference: the
 *   warning MIRROR_DIGEST_MISMATCH, one per such mirror (a stale pull-through cache, or a mirror
 *   of something else), so the target is degraded.
 * - The primary fails: its diagnosis keeps its code (the primary is what the deployments pull, so
 *   the target stays failing), every mirror's outcome joins the evidence, and when a mirror
 *   passed, the first passing one in config order is the first next step: switch to it, with the
 *   docker, containerd and Kubernetes snippets (mirror-advice.ts). No mirror passed: no switch.
 *
 * When the primary fails there is no digest to compare, so a passing mirror is not checked
 * against anything; its digest is in the evidence and in the advice.
 */
import { runbookUrl } from './codes.ts';
import { type PullSource, switchToMirrorSteps } from './mirror-advice.ts';
import type { Diagnosis, MirrorResult, ProbeResult, ProbeWarning } from './result.ts';

/** One mirror as configured, with the result of its probe. */
export interface MirrorOutcome {
  name?: string;
  /** The reference probed. */
  image: string;
  plainHttp: boolean;
  result: ProbeResult;
}

export interface MirrorContext {
  /** Whether the primary was probed over plain HTTP (the config's `plainHttp`). */
  plainHttp: boolean;
  runbookBaseUrl?: string;
  /** The command that repeats a probe (`npx registry-canary`). @default registry-canary */
  command?: string;
}

export function withMirrors(
  primary: ProbeResult,
  outcomes: readonly MirrorOutcome[],
  context: MirrorContext,
): ProbeResult {
  if (outcomes.length === 0) return primary;
  const mirrors = outcomes.map(mirrorResult);
  const warnings = primary.diagnosis
    ? primary.warnings
    : [...primary.warnings, ...mismatchWarnings(primary, outcomes, context)];
  const diagnosis = primary.diagnosis
    ? withMirrorAdvice(primary, primary.diagnosis, outcomes, context)
    : null;
  return {
    ...primary,
    status: diagnosis ? 'failing' : warnings.length > 0 ? 'degraded' : 'healthy',
    diagnosis,
    warnings,
    mirrors,
  };
}

/** A mirror's probe passed (healthy or degraded): it can be pulled from. */
function passed(result: ProbeResult): boolean {
  return result.status !== 'failing';
}

function mirrorResult(outcome: MirrorOutcome): MirrorResult {
  const r = outcome.result;
  return {
    ...(outcome.name ? { name: outcome.name } : {}),
    image: outcome.image,
    registry: r.registry,
    repository: r.repository,
    reference: r.reference,
    status: r.status,
    code: r.diagnosis?.code ?? r.warnings[0]?.code ?? null,
    summary: r.diagnosis?.summary ?? null,
    digest: r.digest,
    durationMs: r.durationMs,
  };
}

function source(result: ProbeResult, plainHttp: boolean): PullSource {
  return {
    registry: result.registry,
    repository: result.repository,
    reference: result.reference,
    plainHttp,
  };
}

function label(outcome: MirrorOutcome): string {
  return outcome.name ? `${outcome.name} (${outcome.image})` : outcome.image;
}

function mismatchWarnings(
  primary: ProbeResult,
  outcomes: readonly MirrorOutcome[],
  context: MirrorContext,
): ProbeWarning[] {
  if (primary.digest === null) return [];
  const command = context.command ?? 'registry-canary';
  const tls = (plainHttp: boolean) => (plainHttp ? ' --tls-verify=false' : '');
  const primaryRef = `${primary.registry}/${primary.repository}${primary.reference.includes(':') ? '@' : ':'}${primary.reference}`;
  return outcomes
    .filter((o) => passed(o.result) && o.result.digest !== null && o.result.digest !== primary.digest)
    .map((o) => ({
      code: 'MIRROR_DIGEST_MISMATCH' as const,
      summary: `The mirror ${label(o)} serves ${o.result.digest} for ${o.result.reference}, but ${primary.registry} serves ${primary.digest}: a pull through the mirror gets other content.`,
      nextSteps: [
        `skopeo inspect${tls(context.plainHttp)} --raw docker://${primaryRef} | sha256sum; skopeo inspect${tls(o.plainHttp)} --raw docker://${o.image} | sha256sum   # the digest each one serves`,
        `${command} probe ${o.image}   # the mirror alone`,
        // Amazon ECR's pull through cache "attempts to update the image in the private registry at
        // least once every 24 hours" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html).
        'A pull-through cache serves its cached copy until it refreshes the tag (ECR pull through cache: at least once every 24 hours; Harbor proxy cache and registry:2 proxies: their own TTL): delete the cached tag on the mirror to make it fetch again, or pin the deployments to the digest.',
        `If the mirror is not meant to follow ${primary.registry} (its own build of the tag), fix or remove it in the target's \`mirrors\`.`,
      ],
      runbook: runbookUrl('MIRROR_DIGEST_MISMATCH', context.runbookBaseUrl),
    }));
}

function withMirrorAdvice(
  primary: ProbeResult,
  diagnosis: Diagnosis,
  outcomes: readonly MirrorOutcome[],
  context: MirrorContext,
): Diagnosis {
  const evidence = outcomes.map((o) =>
    passed(o.result)
      ? `mirror ${label(o)}: ${o.result.status}, digest ${o.result.digest ?? 'unknown'}`
      : `mirror ${label(o)}: failing, ${o.result.diagnosis?.code ?? 'unknown'}: ${o.result.diagnosis?.summary ?? ''}`.trimEnd(),
  );
  const healthy = outcomes.find((o) => passed(o.result));
  const advice = healthy
    ? switchToMirrorSteps({
        primary: source(primary, context.plainHttp),
        mirror: { ...source(healthy.result, healthy.plainHttp), image: healthy.image },
        digest: healthy.result.digest,
      })
    : [];
  return {
    ...diagnosis,
    evidence: [...diagnosis.evidence, ...evidence],
    nextSteps: [...advice, ...diagnosis.nextSteps],
  };
}
