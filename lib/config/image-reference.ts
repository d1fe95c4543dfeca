/**
 * Checks an image reference at synth and splits it into registry host and repository, which the
 * stacks need for IAM (ECR repositories) and for alarm descriptions.
 */
export type ImageReferenceCheck =
  | { ok: true; registry: string; repository: string; reference: string }
  | { ok: false; reason: string };

// The distribution/reference grammar (github.com/distribution/reference/regexp.go), compacted.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`,
);
const PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export function checkImageReference(ref: string): ImageReferenceCheck {
  if (ref.trim() !== ref || ref === '') return { ok: false, reason: 'empty or surrounded by spaces' };
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      return { ok: false, reason: `"${digest}" is not a digest such as sha256:<hex>` };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { ok: false, reason: `"${tag}" is not a valid tag` };
  }
  let registry = 'registry-1.docker.io';
  let repository = rest;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  // Like docker: the first component is a host when it has a dot or a port, or is localhost.
  if (first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first === 'docker.io' || first === 'index.docker.io' ? 'registry-1.docker.io' : first;
    repository = rest.slice(slash + 1);
    if (!DOMAIN.test(first)) return { ok: false, reason: `"${first}" is not a valid registry host` };
  }
  if (registry === 'registry-1.docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (repository.length > 255) return { ok: false, reason: 'repository name longer than 255 characters' };
  if (!PATH.test(repository)) {
    return {
      ok: false,
      reason: `repository "${repository}" must be lower-case path components of letters, digits and separators`,
    };
  }
  return { ok: true, registry, repository, reference: digest ?? tag ?? 'latest' };
}
