/**
 * The reference fleet the README, docs/cost.md and bench/RESULTS.md price, and whose cost goal
 * (functions/cost/goals.ts) is at most $35 a month at every schedule from 1 to 60 minutes: 20
 * targets on 9 registry hosts, probed from 3 regions every minute. The 4 on Docker Hub announce a
 * pull budget (RateLimit headers: the RateLimitLowPercent metric and the RateLimitLow alarm); ECR
 * Public limits requests per second but sends no budget, so its 4 have neither.
 * `npx registry-canary cost --config functions/cost/reference-fleet.ts`
 */
import { defineConfig } from '../../lib/config/define-config.ts';
import type { CanaryConfigInput } from '../../lib/config/schema.ts';

const DOCKER_HUB = ['alpine', 'busybox', 'nginx', 'redis'];
const OTHERS = [
  'public.ecr.aws/docker/library/alpine:latest',
  'public.ecr.aws/docker/library/busybox:latest',
  'public.ecr.aws/docker/library/nginx:latest',
  'public.ecr.aws/docker/library/redis:latest',
  'gcr.io/distroless/static-debian12:latest',
  'gcr.io/distroless/base-debian12:latest',
  'us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0',
  'registry.k8s.io/pause:3.10',
  'registry.k8s.io/coredns/coredns:v1.11.1',
  'ghcr.io/linuxcontainers/busybox:latest',
  'ghcr.io/linuxcontainers/alpine:latest',
  'quay.io/prometheus/node-exporter:latest',
  'quay.io/prometheus/prometheus:latest',
  'mirror.gcr.io/library/alpine:latest',
  'mirror.gcr.io/library/busybox:latest',
  'mcr.microsoft.com/dotnet/runtime-deps:8.0',
];

export const referenceFleet: CanaryConfigInput = {
  homeRegion: 'us-east-1',
  probeRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
  schedule: { everyMinutes: 1 },
  targets: [
    ...DOCKER_HUB.map((name) => ({ name: `dockerhub-${name}`, image: `docker.io/library/${name}:latest` })),
    ...OTHERS.map((image, i) => ({ name: `target-${String(i + 1).padStart(2, '0')}`, image })),
  ],
  notifications: { emails: ['oncall@example.com'] },
};

export default defineConfig(referenceFleet);
