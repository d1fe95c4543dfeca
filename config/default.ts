/**
 * The config a fresh clone deploys: public images on the registries most fleets pull from, probed
 * anonymously from three regions. Copy this file, edit it, and pass it with `-c config=path`.
 */
import { defineConfig } from '../lib/config/define-config.ts';

export default defineConfig({
  homeRegion: 'us-east-1',
  probeRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
  schedule: { everyMinutes: 5 },
  targets: [
    {
      name: 'dockerhub-alpine',
      image: 'docker.io/library/alpine:latest',
      platforms: ['linux/amd64', 'linux/arm64'],
      owner: 'platform-team',
      tags: { registry: 'docker-hub' },
    },
    {
      name: 'ecr-public-alpine',
      image: 'public.ecr.aws/docker/library/alpine:latest',
      credentials: { type: 'ecr-public', authenticated: false },
      owner: 'platform-team',
      tags: { registry: 'ecr-public' },
    },
    {
      name: 'gcr-distroless',
      image: 'gcr.io/distroless/static-debian12:latest',
      owner: 'platform-team',
      tags: { registry: 'gcr' },
    },
    {
      name: 'pkg-dev-hello',
      image: 'us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0',
      owner: 'platform-team',
      tags: { registry: 'artifact-registry' },
    },
    {
      name: 'k8s-pause',
      image: 'registry.k8s.io/pause:3.10',
      owner: 'platform-team',
      tags: { registry: 'registry-k8s-io' },
    },
    {
      name: 'ghcr-busybox',
      image: 'ghcr.io/linuxcontainers/busybox:latest',
      platforms: ['linux/amd64'],
      owner: 'platform-team',
      tags: { registry: 'ghcr' },
    },
    {
      name: 'mirror-gcr-alpine',
      image: 'mirror.gcr.io/library/alpine:latest',
      owner: 'platform-team',
      tags: { registry: 'mirror-gcr' },
    },
  ],
  notifications: { emails: [] },
});
