/**
 * Per-module mutation score floors (issue 14), checked against Stryker's JSON report after
 * `stryker run`. Stryker's own `thresholds.break` is one number for the whole run; these modules
 * guard credentials or decide diagnoses, so each must reach its floor on its own.
 *
 * The score is Stryker's: detected (killed + timeout) over valid (detected + survived + no
 * coverage); ignored mutants (`// Stryker disable`), compile and runtime errors do not count.
 * A module listed here that the report does not contain fails the check, so renaming a module
 * cannot silently drop its floor. Adding a module = one line here and one glob in stryker.config.json.
 *
 * Usage: tsx scripts/check-mutation-scores.ts [reports/mutation/mutation.json]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MUTATION_SCORE_FLOORS: Readonly<Record<string, number>> = {
  'functions/registry/redact.ts': 90,
  'functions/registry/realm-policy.ts': 90,
  'functions/registry/challenge.ts': 90,
  'functions/registry/reference.ts': 90,
  'functions/registry/ratelimit.ts': 90,
  // Where credentials and requests may go (SSRF, credential forwarding) and what content is trusted.
  'functions/registry/redirect-policy.ts': 90,
  'functions/registry/forbidden-hosts.ts': 90,
  'functions/registry/digest.ts': 90,
  // The login and its one re-login, the token exchange (which credentials go to which realm, which
  // cached token a probe may use), and the reading of registries' answers into meanings. Raised to
  // 90 where the scores had long been above it, so a regression there is no longer absorbed.
  'functions/registry/auth.ts': 90,
  'functions/registry/token.ts': 90,
  'functions/registry/dialect.ts': 90,
  'functions/probe/warnings.ts': 90,
  'functions/probe/diagnose.ts': 80,
  'functions/probe/next-steps.ts': 80,
  // Where a redirect may take a request (the destination policy itself is redirect-policy.ts).
  'functions/registry/redirects.ts': 80,
  // A target and its mirrors as one result (the switch advice, the digest comparison) and the
  // switch snippets: they decide what a failing target's first next step is.
  'functions/probe/mirrors.ts': 90,
  'functions/probe/mirror-advice.ts': 90,
};

/** The part of mutation-testing-report-schema's report this check reads. */
export interface MutationReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

export interface ModuleScore {
  module: string;
  floor: number | null;
  /** null when the module has no valid mutant (or is missing from the report). */
  score: number | null;
  detected: number;
  valid: number;
  ok: boolean;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Score of every mutated file, and of every module with a floor, in the order of the floors first. */
export function moduleScores(
  report: MutationReport,
  floors: Readonly<Record<string, number>> = MUTATION_SCORE_FLOORS,
): ModuleScore[] {
  const modules = [...new Set([...Object.keys(floors), ...Object.keys(report.files).sort()])];
  return modules.map((module) => {
    const mutants = report.files[module]?.mutants ?? [];
    const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
    const valid = detected + mutants.filter((m) => UNDETECTED.has(m.status)).length;
    const score = valid === 0 ? null : (100 * detected) / valid;
    const floor = floors[module] ?? null;
    const ok = floor === null || (score !== null && score >= floor);
    return { module, floor, score, detected, valid, ok };
  });
}

export function formatScores(scores: ModuleScore[]): string {
  const rows = scores.map((s) => {
    const score = s.score === null ? 'n/a' : `${s.score.toFixed(2)}%`;
    const floor = s.floor === null ? '-' : `${s.floor}%`;
    return `| \`${s.module}\` | ${score} | ${s.detected}/${s.valid} | ${floor} | ${s.ok ? 'ok' : 'BELOW'} |`;
  });
  return [
    '| module | score | detected/valid | floor | |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

function main(path: string): number {
  const report = JSON.parse(readFileSync(path, 'utf8')) as MutationReport;
  const scores = moduleScores(report);
  console.log(formatScores(scores));
  const failing = scores.filter((s) => !s.ok);
  for (const s of failing) {
    console.error(
      s.score === null
        ? `mutation: ${s.module} has a floor of ${s.floor}% but no mutants in ${path}; is it still in stryker.config.json's mutate?`
        : `mutation: ${s.module} scores ${s.score.toFixed(2)}%, below its floor of ${s.floor}%`,
    );
  }
  return failing.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv[2] ?? 'reports/mutation/mutation.json');
}
