/**
 * Turns the deployment config into what one region's probe Lambda reads at cold start
 * (functions/run/probe-config.ts): that region's enabled targets, each with its thresholds
 * resolved, its reference split, and the CA bundle's certificates (read at validation).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProbeRuntimeConfig } from '../../functions/run/probe-config.ts';
import { caBundleFile, pemCertificates } from './ca-bundle.ts';
import { mirrorImage, splitReference } from './image-reference.ts';
import type { CanaryConfig } from './schema.ts';
import { PROBE_DEADLINE_GRACE_MS, targetsForRegion } from './sizing.ts';

export function runtimeConfigFor(
  config: CanaryConfig,
  region: string,
  readFile: (file: string) => string = (file) => readFileSync(path.resolve(file), 'utf8'),
): ProbeRuntimeConfig {
  return {
    region,
    homeRegion: config.homeRegion,
    concurrency: config.concurrency,
    deadlineGraceMs: PROBE_DEADLINE_GRACE_MS,
    ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    caCertificates: caCertificates(config, readFile),
    ...(caBundleFile(config.caBundle) ? { caBundleFile: caBundleFile(config.caBundle) } : {}),
    ...(config.httpsProxy ? { httpsProxy: config.httpsProxy } : {}),
    ...(config.noProxy ? { noProxy: config.noProxy } : {}),
    // The notifier's "no recent result" age is derived from the same heartbeat (home-stack.ts).
    state: { heartbeatMinutes: config.state.heartbeatMinutes, ttlDays: config.state.ttlDays },
    targets: targetsForRegion(config, region).map((target) => {
      const thresholds = { ...config.defaults, ...target.thresholds };
      return {
        name: target.name,
        image: target.image,
        ...splitReference(target.image),
        credentials: target.credentials,
        platforms: target.platforms,
        timeoutMs: thresholds.timeoutMs,
        slowMs: thresholds.slowMs,
        certExpiryDays: thresholds.certExpiryDays,
        rateLimitRatio: thresholds.rateLimitRatio,
        verifyBlob: target.verifyBlob,
        plainHttp: target.plainHttp,
        ...(target.profile ? { profile: target.profile } : {}),
        // Only when there are mirrors: a target without them reads exactly as before.
        ...(target.mirrors.length > 0
          ? {
              mirrors: target.mirrors.map((mirror) => {
                const image = mirrorImage(mirror.image, target.image);
                return {
                  ...(mirror.name ? { name: mirror.name } : {}),
                  image,
                  ...splitReference(image),
                  credentials: mirror.credentials,
                  plainHttp: mirror.plainHttp,
                  ...(mirror.profile ? { profile: mirror.profile } : {}),
                };
              }),
            }
          : {}),
      };
    }),
  };
}

/**
 * Splits the PEM bundle into its certificates. validateConfig has already read a `path` bundle
 * into `pem` and checked it; a `path` here comes from a caller that skipped validation.
 */
function caCertificates(config: CanaryConfig, readFile: (file: string) => string): string[] {
  const bundle = config.caBundle;
  if (!bundle) return [];
  const pem = 'pem' in bundle ? bundle.pem : readFile(bundle.path);
  const certs = pemCertificates(pem);
  if (certs.length === 0) {
    throw new Error(`caBundle: ${'path' in bundle ? bundle.path : 'pem'} holds no PEM certificate`);
  }
  return certs;
}
