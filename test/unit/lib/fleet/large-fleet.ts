/**
 * A generated fleet of the size issue 9 asks the app to hold: 1,000 targets on 20 registries,
 * probed from 5 regions every minute. Generated, not checked in, so it stays in step with the
 * config schema.
 */
import type { CanaryConfigInput } from '../../../../lib/config/schema.ts';

const REGISTRIES = [
  { host: 'docker.io', path: (i: number) => `library/image-${i}` },
  { host: 'ghcr.io', path: (i: number) => `org/image-${i}` },
  { host: 'quay.io', path: (i: number) => `org/image-${i}` },
  { host: 'gcr.io', path: (i: number) => `project/image-${i}` },
  { host: 'us-docker.pkg.dev', path: (i: number) => `project/repo/image-${i}` },
  { host: 'europe-docker.pkg.dev', path: (i: number) => `project/repo/image-${i}` },
  { host: 'registry.k8s.io', path: (i: number) => `image-${i}` },
  { host: 'public.ecr.aws', path: (i: number) => `org/image-${i}` },
  { host: 'mcr.microsoft.com', path: (i: number) => `org/image-${i}` },
  { host: 'registry.gitlab.com', path: (i: number) => `group/project/image-${i}` },
  { host: 'nvcr.io', path: (i: number) => `nvidia/image-${i}` },
  { host: 'mirror.gcr.io', path: (i: number) => `library/image-${i}` },
  { host: 'docker.elastic.co', path: (i: number) => `org/image-${i}` },
  { host: 'registry.access.redhat.com', path: (i: number) => `ubi9/image-${i}` },
  { host: 'cgr.dev', path: (i: number) => `chainguard/image-${i}` },
  { host: 'harbor.corp.example', path: (i: number) => `team/image-${i}` },
  { host: 'nexus.corp.example:8443', path: (i: number) => `team/image-${i}` },
  { host: 'artifactory.corp.example', path: (i: number) => `docker-local/image-${i}` },
  { host: 'registry.corp.example:5000', path: (i: number) => `team/image-${i}` },
  { host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', path: (i: number) => `team/image-${i}`, ecr: true },
] as const;

export const LARGE_FLEET_REGIONS = [
  'us-east-1',
  'eu-west-1',
  'ap-southeast-1',
  'sa-east-1',
  'ap-northeast-1',
];

export function largeFleet(targets = 1000): CanaryConfigInput {
  return {
    account: '123456789012',
    homeRegion: 'us-east-1',
    probeRegions: LARGE_FLEET_REGIONS,
    schedule: { everyMinutes: 1 },
    targets: Array.from({ length: targets }, (_, i) => {
      const registry = REGISTRIES[i % REGISTRIES.length]!;
      return {
        name: `t${String(i).padStart(4, '0')}-${registry.host.split('.')[0]}`,
        image: `${registry.host}/${registry.path(i)}:1`,
        owner: `team-${i % 7}`,
        ...('ecr' in registry ? { credentials: { type: 'ecr' as const } } : {}),
      };
    }),
    notifications: { emails: ['oncall@example.com'] },
  };
}
