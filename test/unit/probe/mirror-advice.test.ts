/**
 * The switch-to-the-mirror snippets per pair of registries: docker's registry-mirrors only for a
 * Docker Hub primary and a mirror serving Hub's names at its root
 * (https://docs.docker.com/docker-hub/image-library/mirror/), containerd's hosts.toml under the
 * primary's host namespace with the mirror as a [host] and override_path for a path prefix
 * (https://github.com/containerd/containerd/blob/main/docs/hosts.md), and the Kubernetes reference.
 */
import { describe, expect, it } from 'vitest';
import { type MirrorAdviceInput, switchToMirrorSteps } from '../../../functions/probe/mirror-advice.ts';

const hub = {
  registry: 'registry-1.docker.io',
  repository: 'library/alpine',
  reference: '3.20',
  plainHttp: false,
};

function advice(mirror: Partial<MirrorAdviceInput['mirror']>, primary = hub): string[] {
  return switchToMirrorSteps({
    primary,
    mirror: {
      registry: 'mirror.gcr.io',
      repository: 'library/alpine',
      reference: '3.20',
      plainHttp: false,
      image: 'mirror.gcr.io/library/alpine:3.20',
      ...mirror,
    },
    digest: 'sha256:abc',
  });
}

describe('switchToMirrorSteps', () => {
  it('says to switch first, naming the mirror, its digest and the failing registry', () => {
    expect(advice({})[0]).toBe(
      'Switch to the mirror mirror.gcr.io/library/alpine:3.20: it passed (it serves sha256:abc) while registry-1.docker.io fails. Point the pulls at it until registry-1.docker.io recovers, with the next step for docker, containerd or Kubernetes.',
    );
  });

  it('says nothing of a digest when the mirror served none', () => {
    const [first] = switchToMirrorSteps({
      primary: hub,
      mirror: { ...hub, registry: 'mirror.gcr.io', image: 'mirror.gcr.io/library/alpine:3.20' },
      digest: null,
    });
    expect(first).toBe(
      'Switch to the mirror mirror.gcr.io/library/alpine:3.20: it passed while registry-1.docker.io fails. Point the pulls at it until registry-1.docker.io recovers, with the next step for docker, containerd or Kubernetes.',
    );
  });

  it("gives Docker Hub's mirror to docker's daemon.json, containerd's docker.io namespace and the kubelet", () => {
    const [, docker, containerd, kubernetes] = advice({});

    expect(docker).toBe(
      `echo '{"registry-mirrors":["https://mirror.gcr.io"]}' | sudo tee /etc/docker/daemon.json && sudo systemctl restart docker   # docker (merge into an existing daemon.json)`,
    );
    expect(containerd).toBe(
      `sudo mkdir -p /etc/containerd/certs.d/docker.io && printf '%s\\n' 'server = "https://registry-1.docker.io"' '' '[host."https://mirror.gcr.io"]' '  capabilities = ["pull", "resolve"]' | sudo tee /etc/containerd/certs.d/docker.io/hosts.toml   # containerd (config.toml: config_path = "/etc/containerd/certs.d")`,
    );
    expect(kubernetes).toBe(
      'kubectl set image deployment/<name> <container>=mirror.gcr.io/library/alpine:3.20   # Kubernetes (or image: in the manifest)',
    );
  });

  it('adds insecure-registries and http:// for a plain-HTTP mirror of Docker Hub', () => {
    const [, docker, containerd] = advice({
      registry: 'cache.internal:5000',
      plainHttp: true,
      image: 'cache.internal:5000/library/alpine:3.20',
    });

    expect(docker).toContain(
      `'{"registry-mirrors":["http://cache.internal:5000"],"insecure-registries":["cache.internal:5000"]}'`,
    );
    expect(containerd).toContain(`'[host."http://cache.internal:5000"]'`);
  });

  it('refuses registry-mirrors for a primary that is not Docker Hub, and names the pull that works', () => {
    const ghcr = { registry: 'ghcr.io', repository: 'team/app', reference: 'v1', plainHttp: false };

    const [, docker, containerd] = advice(
      {
        registry: 'harbor.example.com',
        repository: 'ghcr-proxy/team/app',
        reference: 'v1',
        image: 'harbor.example.com/ghcr-proxy/team/app:v1',
      },
      ghcr,
    );

    expect(docker).toBe(
      'docker: registry-mirrors mirrors Docker Hub only, not ghcr.io; pull the mirror by name instead: docker pull harbor.example.com/ghcr-proxy/team/app:v1',
    );
    // A proxy-cache project is a path prefix: the host's API root is /v2/<prefix>, hence override_path.
    expect(containerd).toBe(
      `sudo mkdir -p /etc/containerd/certs.d/ghcr.io && printf '%s\\n' 'server = "https://ghcr.io"' '' '[host."https://harbor.example.com/v2/ghcr-proxy"]' '  capabilities = ["pull", "resolve"]' '  override_path = true' | sudo tee /etc/containerd/certs.d/ghcr.io/hosts.toml   # containerd (config.toml: config_path = "/etc/containerd/certs.d")`,
    );
  });

  it('refuses registry-mirrors for a Docker Hub mirror under a path prefix', () => {
    const [, docker] = advice({
      registry: 'harbor.example.com',
      repository: 'hub/library/alpine',
      image: 'harbor.example.com/hub/library/alpine:3.20',
    });

    expect(docker).toMatch(/^docker: registry-mirrors takes a mirror at the root of its host/);
    expect(docker).toContain('docker pull harbor.example.com/hub/library/alpine:3.20');
  });

  it('gives no hosts.toml for a mirror that serves the image under another name or tag', () => {
    const renamed = advice({
      repository: 'mirrors/alpine-copy',
      image: 'mirror.gcr.io/mirrors/alpine-copy:3.20',
    });
    const retagged = advice({ reference: '3.20-cached', image: 'mirror.gcr.io/library/alpine:3.20-cached' });

    for (const [, docker, containerd, kubernetes] of [renamed, retagged]) {
      expect(docker).toMatch(/^docker: /);
      expect(containerd).toMatch(
        /^containerd: hosts\.toml sends registry-1\.docker\.io's own names and tags/,
      );
      expect(kubernetes).toMatch(/^kubectl set image /);
    }
  });

  it("puts a primary with a port in its host:port namespace and keeps the primary's scheme", () => {
    const local = {
      registry: 'registry.internal:5000',
      repository: 'team/app',
      reference: 'v1',
      plainHttp: true,
    };

    const [, , containerd] = advice(
      {
        registry: 'mirror.internal',
        repository: 'team/app',
        reference: 'v1',
        image: 'mirror.internal/team/app:v1',
      },
      local,
    );

    expect(containerd).toContain('sudo mkdir -p /etc/containerd/certs.d/registry.internal:5000 ');
    expect(containerd).toContain(`'server = "http://registry.internal:5000"'`);
  });
});
