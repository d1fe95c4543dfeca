/**
 * Warnings turn a passing probe into a degraded one: the pull works today, but a pull rate limit
 * is nearly spent, a certificate is about to expire, or the pull path is slow.
 */
import type { ProbeOptions } from './options.ts';
import type { ProbeWarning, RateLimit, TlsInfo } from './result.ts';

export interface WarningInputs {
  rateLimit: RateLimit | null;
  tls: TlsInfo | null;
  durationMs: number;
}

export function warningsFor(
  inputs: WarningInputs,
  options: Pick<ProbeOptions, 'rateLimitWarningRatio' | 'certExpiryWarningDays' | 'slowThresholdMs'>,
): ProbeWarning[] {
  const warnings: ProbeWarning[] = [];
  const { rateLimit, tls, durationMs } = inputs;
  if (
    rateLimit?.limit &&
    rateLimit.remaining !== null &&
    rateLimit.remaining < rateLimit.limit * options.rateLimitWarningRatio
  ) {
    const window = rateLimit.windowSeconds ? ` per ${formatWindow(rateLimit.windowSeconds)}` : '';
    warnings.push({
      code: 'RATE_LIMIT_LOW',
      summary: `Only ${rateLimit.remaining} of ${rateLimit.limit} pulls${window} remain (below ${Math.round(options.rateLimitWarningRatio * 100)}%).`,
    });
  }
  if (tls && tls.daysRemaining < options.certExpiryWarningDays) {
    warnings.push({
      code: 'CERT_EXPIRING',
      summary: `The certificate for ${tls.subject || 'the registry'} expires in ${tls.daysRemaining} day(s), on ${tls.validTo}.`,
    });
  }
  if (durationMs > options.slowThresholdMs) {
    warnings.push({
      code: 'SLOW',
      summary: `The probe took ${durationMs} ms, over the ${options.slowThresholdMs} ms threshold.`,
    });
  }
  return warnings;
}

function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
