/**
 * Assertions shared by the probe's real-registry tests: a failing result names exactly the
 * expected code with everything a person needs, timings are real measurements, and a secret
 * appears nowhere in what the probe hands back.
 */
import { expect } from 'vitest';
import type { DiagnosisCode } from '../../../functions/probe/codes.ts';
import { DIAGNOSIS_CODES, WARNING_CODES } from '../../../functions/probe/codes.ts';
import type { ProbeResult } from '../../../functions/probe/result.ts';

/** The result failed with `code`, and its diagnosis is complete: summary, evidence, next steps, runbook. */
export function expectDiagnosis(result: ProbeResult, code: DiagnosisCode): void {
  expect(result.diagnosis?.code, JSON.stringify(result.diagnosis, null, 2)).toBe(code);
  expect(result.status).toBe('failing');
  expect(DIAGNOSIS_CODES).toContain(result.diagnosis!.code);
  expect(result.diagnosis!.summary.length).toBeGreaterThan(10);
  expect(result.diagnosis!.summary).not.toContain('\n');
  expect(result.diagnosis!.evidence.length).toBeGreaterThan(0);
  expect(result.diagnosis!.nextSteps.length).toBeGreaterThan(0);
  expect(result.diagnosis!.runbook).toMatch(new RegExp(`/${code}\\.md$`));
}

/** A probe that passed, with nothing to warn about. */
export function expectHealthy(result: ProbeResult): void {
  expect(result.diagnosis, JSON.stringify(result.diagnosis, null, 2)).toBeNull();
  expect(result.warnings).toEqual([]);
  expect(result.status).toBe('healthy');
}

/** Every step's timings are measurements of a loopback exchange, not placeholders. */
export function expectPlausibleTimings(result: ProbeResult, deadlineMs: number): void {
  expect(result.durationMs).toBeGreaterThan(0);
  expect(result.durationMs).toBeLessThan(deadlineMs + 1_000);
  for (const step of result.steps) {
    const { dnsMs, connectMs, tlsMs, ttfbMs, totalMs } = step.timings;
    expect(totalMs, step.name).toBeGreaterThan(0);
    expect(totalMs, step.name).toBeLessThanOrEqual(result.durationMs + 1);
    for (const phase of [dnsMs, connectMs, tlsMs, ttfbMs]) {
      if (phase !== null) {
        expect(Number.isFinite(phase), step.name).toBe(true);
        expect(phase, step.name).toBeGreaterThanOrEqual(0);
        expect(phase, step.name).toBeLessThanOrEqual(totalMs + 0.5);
      }
    }
    // IP literals need no DNS; a reused connection has no connect or TLS phase.
    expect(dnsMs, step.name).toBeNull();
    if (step.reusedConnection) {
      expect(connectMs, step.name).toBeNull();
      expect(tlsMs, step.name).toBeNull();
    }
    if (step.status !== null) expect(ttfbMs, step.name).not.toBeNull();
  }
  const first = result.steps[0];
  if (first && first.status !== null) {
    expect(first.reusedConnection).toBe(false);
    expect(first.timings.connectMs).not.toBeNull();
  }
}

/** The step names, in the order they were taken. */
export function stepNames(result: ProbeResult): string[] {
  return result.steps.map((s) => s.name);
}

/** Neither the secret nor its Basic encoding appears anywhere in `text`. */
export function expectNoSecret(text: string, secret: string, username = ''): void {
  expect(text).not.toContain(secret);
  if (username) expect(text).not.toContain(Buffer.from(`${username}:${secret}`).toString('base64'));
}

export const KNOWN_WARNING_CODES: readonly string[] = WARNING_CODES;
