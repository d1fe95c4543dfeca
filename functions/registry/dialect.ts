/**
 * What a registry's error answer means, read through its family's dialect. Registries share the
 * distribution spec's error codes in name only: Harbor says NOT_FOUND for a missing repository and
 * a missing tag alike, ECR says DENIED for an expired token, ECR Public answers an invalid token
 * with 400 and no challenge, Docker Hub and Quay answer a repository that does not exist (or is
 * not visible to the caller) with 401 after issuing a token. A rule names one such answer and its
 * meaning; each family's rules sit in its record in profiles.ts, with the source of the capture
 * they were written from, and COMMON_RULES hold what every family shares.
 *
 * This module only explains; the probe layer turns a meaning into a diagnosis code.
 */
import { parseWwwAuthenticate } from './challenge.ts';
import type { RegistryErrorDetail } from './errors.ts';

/** What a refused request means, in the registry's terms. */
export type AnswerMeaning =
  /** The repository does not exist. */
  | 'repository-missing'
  /** The repository exists; the tag or digest does not. */
  | 'tag-missing'
  /** A blob the manifest references is missing. */
  | 'blob-missing'
  /**
   * The repository does not exist, or it exists and the caller may not see it: registries answer
   * both the same way so as not to reveal private names (Docker Hub, Quay, Artifact Registry).
   */
  | 'missing-or-not-visible'
  /** The credentials were a token that has expired (ECR's 12-hour password). */
  | 'token-expired'
  /** The token was refused as invalid: expired, revoked, or for another registry. */
  | 'token-invalid'
  /** The identity is known and may not pull. */
  | 'denied'
  /** The answer did not come from the registry API at all (an HTML page from a web tier). */
  | 'not-registry';

/** One recognised answer of one family. Every field given must match. */
export interface DialectRule {
  meaning: AnswerMeaning;
  status: readonly number[];
  /** The registry's error code, upper-case (the first entry of `errors`). */
  code?: string;
  /** Tested against the first error's message. */
  message?: RegExp;
  /** The `error` parameter of the Bearer challenge (RFC 6750 section 3.1), e.g. insufficient_scope. */
  challengeError?: string;
  /** Only when a Bearer token had been granted for the request (the 401 is not "log in"). */
  afterToken?: boolean;
  /** The body is an HTML page, not a registry error. */
  html?: boolean;
  /**
   * The token service's answer to the token request itself (step `token`), not the registry's.
   * Rules without it never read a token service's answer, and rules with it read nothing else.
   */
  atTokenService?: boolean;
  /** Where the answer was captured or documented. */
  source: string;
}

/** The parts of a refused answer a rule reads. */
export interface RegistryAnswer {
  /** The request that got the answer; `token` for the token service's. */
  step?: string;
  status: number;
  errors: readonly RegistryErrorDetail[];
  body: string;
  headers: Readonly<Record<string, string>>;
}

/** What the registry client knows of its own login when an answer arrives. */
export interface LoginState {
  scheme: 'none' | 'basic' | 'bearer';
  /** Whether credentials went out (decides AUTH_FAILED from AUTH_REQUIRED). */
  credentialsGiven: boolean;
  /** Whether a Bearer token was granted: a 401 after that is not "log in", the token was refused. */
  tokenGranted: boolean;
  /** How many times the client logged in again after a refused token (at most once per probe). */
  relogins: number;
}

export interface Explanation {
  meaning: AnswerMeaning;
  rule: DialectRule;
}

/**
 * What every family shares, checked after the family's own rules.
 */
export const COMMON_RULES: readonly DialectRule[] = [
  {
    // RFC 6750 section 3.1: insufficient_scope means the token lacks the privileges, not that it
    // is bad. The distribution token controller answers a missing repository this way
    // (distribution/distribution#2037: "401 when we know a 403 is needed"), as Docker Hub does
    // (docker-archive/docker-registry#1071, hub-feedback#1771: the token service issues a token
    // for any repository name, existing or not).
    meaning: 'missing-or-not-visible',
    status: [401, 403],
    challengeError: 'insufficient_scope',
    source: 'https://github.com/docker-archive/docker-registry/issues/1071',
  },
  {
    // A 401 or 403 after the token service granted a token: the login worked, the token does not
    // cover this repository. Docker Hub grants a pull token for any name and then answers 401
    // UNAUTHORIZED (docker-archive/docker-registry#1071), Quay says "access to the requested
    // resource is not authorized" for a repository that does not exist (hpe-storage/csi-driver#288),
    // GHCR issues an anonymous token and answers the manifest 403 for a private package
    // (TeamCoderz/WordyMe#75), GitLab issues a token without access and answers 401
    // (n0madic/gitlab-registry-images-cleaner#13). A cached token the registry no longer accepts
    // is renewed once first (auth.ts Relogin), so what reaches this rule was refused fresh.
    meaning: 'missing-or-not-visible',
    status: [401, 403],
    afterToken: true,
    source: 'https://github.com/docker-archive/docker-registry/issues/1071',
  },
  {
    // A 404 page from a web tier or load balancer in front of the registry: no registry error
    // code, an HTML document (Nexus outside its Docker connector: microsoft/vscode-docker#537).
    meaning: 'not-registry',
    status: [404],
    html: true,
    source: 'https://github.com/microsoft/vscode-docker/issues/537',
  },
];

/** The first of `rules` (then COMMON_RULES) that the answer matches, or null. */
export function explainAnswer(
  rules: readonly DialectRule[],
  answer: RegistryAnswer,
  login: LoginState | null,
): Explanation | null {
  for (const rule of [...rules, ...COMMON_RULES]) {
    if (ruleMatches(rule, answer, login)) return { meaning: rule.meaning, rule };
  }
  return null;
}

function ruleMatches(rule: DialectRule, answer: RegistryAnswer, login: LoginState | null): boolean {
  if (!rule.status.includes(answer.status)) return false;
  if ((rule.atTokenService ?? false) !== (answer.step === 'token')) return false;
  const first = answer.errors[0];
  if (rule.code !== undefined && first?.code.toUpperCase() !== rule.code) return false;
  if (rule.message !== undefined && !rule.message.test(first?.message ?? '')) return false;
  if (rule.afterToken && !login?.tokenGranted) return false;
  if (rule.challengeError !== undefined && challengeError(answer.headers) !== rule.challengeError) {
    return false;
  }
  if (rule.html !== undefined && isHtml(answer) !== rule.html) return false;
  return true;
}

/** The `error` parameter of the answer's Bearer challenge, or null. */
export function challengeError(headers: Readonly<Record<string, string>>): string | null {
  const header = headers['www-authenticate'];
  if (!header) return null;
  try {
    const bearer = parseWwwAuthenticate(header).find((c) => c.scheme === 'bearer');
    return bearer?.params['error'] ?? null;
  } catch {
    return null;
  }
}

/** An HTML document rather than a registry's JSON error. */
export function isHtml(answer: Pick<RegistryAnswer, 'errors' | 'body' | 'headers'>): boolean {
  if (answer.errors.length > 0) return false;
  const type = answer.headers['content-type']?.toLowerCase() ?? '';
  if (type.startsWith('text/html')) return true;
  return /^\s*<(!doctype html|html)[\s>]/i.test(answer.body);
}
