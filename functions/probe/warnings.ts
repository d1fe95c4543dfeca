/**
 * Warnings turn a passing probe into a degraded one: the pull works today, but a pull rate limit
 * is nearly spent, a certificate is about to expire, or the pull path is slow. Each warning carries
 * its own pasteable next steps and its runbook (docs/runbooks/<CODE>.md), as a diagnosis does.
 */
import type { Invocation } from '../registry/profiles.ts';
import { runbookUrl } from './codes.ts';
import type { ProbeOptions } from './options.ts';
import type { ProbeWarning, RateLimit, TlsInfo } from './result.ts';

export interface WarningInputs {
  rateLimit: RateLimit | null;
  tls: TlsInfo | null;
  durationMs: number;
}

/** What the next steps of a warning name. */
export interface WarningTarget {
  registry: string;
  repository: string;
  reference: string;
  plainHttp: boolean;
  invocation?: Invocation;
}

export function warningsFor(
  inputs: WarningInputs,
  options: Pick<
    ProbeOptions,
    'rateLimitWarningRatio' | 'certExpiryWarningDays' | 'slowThresholdMs' | 'runbookBaseUrl'
  >,
  target: WarningTarget,
): ProbeWarning[] {
  const warnings: ProbeWarning[] = [];
  const { rateLimit, tls, durationMs } = inputs;
  const base = `${target.plainHttp ? 'http' : 'https'}://${target.registry}`;
  const host = target.registry.replace(/:\d+$/, '');
  const port = /:(\d+)$/.exec(target.registry)?.[1] ?? '443';
  const again = [
    target.invocation?.command ?? 'registry-canary',
    'probe',
    `${target.registry}/${target.repository}${target.reference.includes(':') ? '@' : ':'}${target.reference}`,
    ...(target.invocation?.flags ?? []),
  ].join(' ');
  const runbook = (code: ProbeWarning['code']) => runbookUrl(code, options.runbookBaseUrl);
  if (
    rateLimit?.limit &&
    rateLimit.remaining !== null &&
    rateLimit.remaining < rateLimit.limit * options.rateLimitWarningRatio
  ) {
    const window = rateLimit.windowSeconds ? ` per ${formatWindow(rateLimit.windowSeconds)}` : '';
    warnings.push({
      code: 'RATE_LIMIT_LOW',
      summary: `Only ${rateLimit.remaining} of ${rateLimit.limit} pulls${window} remain (below ${Math.round(options.rateLimitWarningRatio * 100)}%).`,
      nextSteps: [
        `${again} --json | jq '.[0].rateLimit'   # the budget again (the probe's HEAD spends no pull)`,
        ...(rateLimit.source
          ? [
              `The budget is counted for ${rateLimit.source}: every pull from that address or account spends it.`,
            ]
          : []),
        'Authenticate the pulls (an account has a larger budget than an anonymous address), or pull through a mirror or pull-through cache.',
      ],
      runbook: runbook('RATE_LIMIT_LOW'),
    });
  }
  // An expired certificate fails the probe (TLS_EXPIRED); "expires in -1036 days" would say nothing.
  if (tls && tls.daysRemaining >= 0 && tls.daysRemaining < options.certExpiryWarningDays) {
    warnings.push({
      code: 'CERT_EXPIRING',
      summary: `The certificate for ${tls.subject || 'the registry'} expires in ${tls.daysRemaining} day(s), on ${tls.validTo}.`,
      nextSteps: [
        `openssl s_client -connect ${host}:${port} -servername ${host.replace(/^\[|\]$/g, '')} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate`,
        'Renew the certificate on the registry or its load balancer before that date (or check why automatic renewal did not run).',
      ],
      runbook: runbook('CERT_EXPIRING'),
    });
  }
  if (durationMs > options.slowThresholdMs) {
    warnings.push({
      code: 'SLOW',
      summary: `The probe took ${durationMs} ms, over the ${options.slowThresholdMs} ms threshold.`,
      nextSteps: [
        `${again}   # the STEP table shows which phase is slow`,
        `curl -sS -o /dev/null -w 'dns %{time_namelookup}s connect %{time_connect}s tls %{time_appconnect}s ttfb %{time_starttransfer}s total %{time_total}s\\n' ${base}/v2/`,
        "Compare the phases: slow DNS or connect points at the network or resolver, a slow ttfb at the registry or its token service; check the registry's status page.",
      ],
      runbook: runbook('SLOW'),
    });
  }
  return warnings;
}

function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
