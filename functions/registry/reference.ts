/**
 * Image references, parsed and normalised the way docker (distribution/reference) does:
 * `alpine` -> registry-1.docker.io/library/alpine:latest. The grammar follows
 * github.com/distribution/reference/regexp.go; the host used on the wire for Docker Hub is
 * registry-1.docker.io, because docker.io and index.docker.io do not serve the v2 API.
 */
import { checkDigest, DIGEST_ALGORITHMS } from './digest.ts';
import { InvalidReferenceError } from './errors.ts';

export interface ImageReference {
  /** Registry host with port, as the probe talks to it (docker.io -> registry-1.docker.io). */
  registry: string;
  /** Repository path, with `library/` added for official Docker Hub images. */
  repository: string;
  tag: string | null;
  digest: string | null;
  /** What the probe asks the registry for: the digest when given (docker pins to it), else the tag. */
  reference: string;
  /** registry/repository[:tag][@digest], fully spelled out. */
  canonical: string;
  /** The input as given. */
  original: string;
}

export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** docker's NameTotalLengthMax: the name (with domain) may not be longer. */
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
// regexp.go's ipv6address: compressed or full hex only; "IPv6 zone identifiers (rfc6874) or
// Special addresses such as IPv4-Mapped are deliberately excluded", so docker refuses them too.
const IPV6_HOST = /^\[[0-9a-fA-F:]+\]$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const ANONYMOUS_ID = /^[a-f0-9]{64}$/;

/** Parses and normalises an image reference; throws InvalidReferenceError naming what is wrong. */
export function parseReference(input: string): ImageReference {
  const original = input;
  const text = input.trim();
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(original, reason);
  };
  if (text === '') fail('the reference is empty');
  if (/\s/.test(text)) fail('a reference may not contain whitespace');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    fail('remove the URL scheme: a reference is host/name:tag, not a URL');

  // name[:tag][@digest]
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    validateDigest(digest, fail);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      fail(
        tag === ''
          ? 'the tag after ":" is empty'
          : `invalid tag ${JSON.stringify(tag)}: up to 128 of [A-Za-z0-9_.-], not starting with . or -`,
      );
    }
  }
  const name = rest;
  if (name === '') fail('the repository name is empty');
  if (name.length > MAX_NAME_LENGTH) fail(`the repository name is longer than ${MAX_NAME_LENGTH} characters`);

  const { domain, path } = splitDomain(name);
  if (domain !== null) validateDomain(domain, fail);
  if (path === '') fail('the repository path is empty');
  if (path !== path.toLowerCase()) fail('the repository name must be lowercase');
  for (const component of path.split('/')) {
    if (component === '') fail('the repository path has an empty component (a doubled or trailing "/")');
    if (!PATH_COMPONENT.test(component)) {
      fail(
        `invalid repository path component ${JSON.stringify(component)}: lowercase letters and digits, separated by ".", "_", "__" or "-"`,
      );
    }
  }
  if (domain === null && ANONYMOUS_ID.test(path)) {
    fail('a 64-character hexadecimal string is an image ID, not a repository name');
  }

  const registry =
    domain === null || DOCKER_HUB_ALIASES.has(domain.toLowerCase()) ? DOCKER_HUB_REGISTRY : domain;
  const repository = registry === DOCKER_HUB_REGISTRY && !path.includes('/') ? `library/${path}` : path;
  if (tag === null && digest === null) tag = 'latest';
  const reference = digest ?? (tag as string);
  const canonical = `${registry}/${repository}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`;
  return { registry, repository, tag, digest, reference, canonical, original };
}

/**
 * docker's splitDockerDomain: the first component is a registry host when it contains "." or ":",
 * is "localhost", or has upper-case letters; otherwise the name is on Docker Hub.
 */
function splitDomain(name: string): { domain: string | null; path: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: null, path: name };
  const first = name.slice(0, slash);
  const isDomain = /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
  return isDomain ? { domain: first, path: name.slice(slash + 1) } : { domain: null, path: name };
}

function validateDomain(domain: string, fail: (reason: string) => never): void {
  let host = domain;
  let port: string | null = null;
  if (domain.startsWith('[')) {
    const end = domain.indexOf(']');
    host = end === -1 ? domain : domain.slice(0, end + 1);
    const after = end === -1 ? '' : domain.slice(end + 1);
    if (after !== '') {
      if (!after.startsWith(':')) fail(`invalid registry host ${JSON.stringify(domain)}`);
      port = after.slice(1);
    }
    if (!IPV6_HOST.test(host)) fail(`invalid registry host ${JSON.stringify(domain)}`);
  } else {
    const colon = domain.indexOf(':');
    if (colon !== -1) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    const components = host.split('.');
    if (!components.every((c) => DOMAIN_COMPONENT.test(c))) {
      fail(`invalid registry host ${JSON.stringify(domain)}: letters, digits, "-" and "." only`);
    }
  }
  if (port !== null && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    fail(`invalid registry port ${JSON.stringify(port)}: a number from 1 to 65535`);
  }
}

/** The same digest rule as every digest from a registry (digest.ts), with reasons for a person typing it. */
function validateDigest(digest: string, fail: (reason: string) => never): void {
  if (checkDigest(digest).valid) return;
  if (!DIGEST.test(digest))
    fail(`invalid digest ${JSON.stringify(digest)}: expected algorithm:hex, e.g. sha256:<64 hex>`);
  const algorithm = digest.split(':')[0]!;
  const length = DIGEST_ALGORITHMS[algorithm];
  if (length === undefined) {
    fail(
      `unsupported digest algorithm ${JSON.stringify(algorithm)}: use ${Object.keys(DIGEST_ALGORITHMS).join(', ')}`,
    );
  }
  fail(`invalid ${algorithm} digest: expected ${length} lowercase hex characters`);
}
