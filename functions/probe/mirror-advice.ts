/**
 * "Switch to the mirror": the pasteable steps that point pulls at a healthy mirror while the
 * target's own registry fails, for the three places a pull is configured: the docker daemon, the
 * containerd hosts directory (which the kubelet's CRI pulls go through), and the image reference a
 * Kubernetes workload names. Each snippet is given only where it is valid for this pair of
 * registries; where it is not, the step says why and what works instead.
 *
 * - docker: `registry-mirrors` in /etc/docker/daemon.json mirrors Docker Hub only ("It's currently
 *   not possible to mirror another private registry. Only the central Hub can be mirrored",
 *   https://docs.docker.com/docker-hub/image-library/mirror/), and a mirror URL must be the root of
 *   a host, with no path (https://distribution.github.io/distribution/recipes/mirror/). The
 *   daemon.json key and mirror.gcr.io as its value are Google's own instructions
 *   (https://cloud.google.com/artifact-registry/docs/pull-cached-dockerhub-images).
 * - containerd: /etc/containerd/certs.d/<registry host namespace>/hosts.toml, the namespace being
 *   the host (and `:port`) the image reference names, `docker.io` for Docker Hub; `server` is the
 *   upstream, each `[host."<url>"]` a mirror tried first in order; a mirror whose API root is not
 *   `/v2` at the host's root (a Harbor proxy-cache project, a path prefix) is written as
 *   `https://host/v2/<prefix>` with `override_path = true`; CRI reads the directory only when
 *   config.toml sets `config_path`, and changes need no restart
 *   (https://github.com/containerd/containerd/blob/main/docs/hosts.md).
 * - Kubernetes: the workload's `image` names the mirror's reference; the kubelet pulls it as is.
 */
import { DOCKER_HUB_REGISTRY } from '../registry/reference.ts';

/** One side of the pair: where an image is pulled from. */
export interface PullSource {
  /** Host with port, as the probe talks to it (Docker Hub is registry-1.docker.io). */
  registry: string;
  repository: string;
  /** The tag or digest probed. */
  reference: string;
  plainHttp: boolean;
}

export interface MirrorAdviceInput {
  primary: PullSource;
  /** The mirror that passed, and its reference as probed. */
  mirror: PullSource & { image: string };
  /** The digest the mirror served. */
  digest: string | null;
}

/** The steps, first the sentence that says to switch, then one step per client. */
export function switchToMirrorSteps({ primary, mirror, digest }: MirrorAdviceInput): string[] {
  const serves = digest ? ` (it serves ${digest})` : '';
  return [
    `Switch to the mirror ${mirror.image}: it passed${serves} while ${primary.registry} fails. Point the pulls at it until ${primary.registry} recovers, with the next step for docker, containerd or Kubernetes.`,
    dockerStep(primary, mirror),
    containerdStep(primary, mirror),
    `kubectl set image deployment/<name> <container>=${mirror.image}   # Kubernetes (or image: in the manifest)`,
  ];
}

/** How the mirror's repository relates to the primary's, for the host-level snippets. */
type PathRelation = { kind: 'same' } | { kind: 'prefix'; prefix: string } | { kind: 'renamed' };

function pathRelation(primary: PullSource, mirror: PullSource): PathRelation {
  // A host-level mirror serves the primary's names and tags: a mirror probed at another tag or
  // digest is not what a redirected `primary:tag` pull would get.
  if (mirror.reference !== primary.reference) return { kind: 'renamed' };
  if (mirror.repository === primary.repository) return { kind: 'same' };
  const suffix = `/${primary.repository}`;
  if (mirror.repository.endsWith(suffix)) {
    return { kind: 'prefix', prefix: mirror.repository.slice(0, -suffix.length) };
  }
  return { kind: 'renamed' };
}

function origin(source: PullSource): string {
  return `${source.plainHttp ? 'http' : 'https'}://${source.registry}`;
}

function dockerStep(primary: PullSource, mirror: PullSource & { image: string }): string {
  const pullInstead = `docker pull ${mirror.image}`;
  if (primary.registry !== DOCKER_HUB_REGISTRY) {
    return `docker: registry-mirrors mirrors Docker Hub only, not ${primary.registry}; pull the mirror by name instead: ${pullInstead}`;
  }
  const relation = pathRelation(primary, mirror);
  if (relation.kind !== 'same') {
    return `docker: registry-mirrors takes a mirror at the root of its host serving Docker Hub's own names, and ${mirror.image} is not one; pull it by name instead: ${pullInstead}`;
  }
  // A plain-HTTP mirror must also be an insecure registry, or the daemon refuses to talk HTTP to it.
  const settings = {
    'registry-mirrors': [origin(mirror)],
    ...(mirror.plainHttp ? { 'insecure-registries': [mirror.registry] } : {}),
  };
  return `echo '${JSON.stringify(settings)}' | sudo tee /etc/docker/daemon.json && sudo systemctl restart docker   # docker (merge into an existing daemon.json)`;
}

function containerdStep(primary: PullSource, mirror: PullSource): string {
  const relation = pathRelation(primary, mirror);
  if (relation.kind === 'renamed') {
    return `containerd: hosts.toml sends ${primary.registry}'s own names and tags to a mirror, and the mirror serves this image as ${mirror.repository} at ${mirror.reference}; name the mirror's reference in the workload instead (below)`;
  }
  const namespace = primary.registry === DOCKER_HUB_REGISTRY ? 'docker.io' : primary.registry;
  const dir = `/etc/containerd/certs.d/${namespace}`;
  // "resolve" lets the mirror turn a tag into a digest, which containerd's docs advise only for a
  // mirror you trust: without it, a tag still resolves at the failing upstream and the pull fails.
  const host =
    relation.kind === 'same'
      ? [`[host."${origin(mirror)}"]`, '  capabilities = ["pull", "resolve"]']
      : [
          `[host."${origin(mirror)}/v2/${relation.prefix}"]`,
          '  capabilities = ["pull", "resolve"]',
          '  override_path = true',
        ];
  const lines = [`server = "${origin(primary)}"`, '', ...host];
  return `sudo mkdir -p ${dir} && printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} | sudo tee ${dir}/hosts.toml   # containerd (config.toml: config_path = "/etc/containerd/certs.d")`;
}
