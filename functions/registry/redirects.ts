/**
 * Following redirects by hand, as docker follows them, so that each hop is a step of its own (with
 * its host and timings) and so that every hop passes the redirect policy (redirect-policy.ts)
 * BEFORE it is sent: a refused destination never receives a connection.
 *
 * The Authorization header of a request belongs to one origin (the registry's, or the token
 * realm's). It goes with a hop only to that origin; a hop to another host goes without it. When
 * such a host answers 401 with its own challenge (a registry that redirects manifests to another
 * registry, as registry.k8s.io does to Artifact Registry), the caller may answer it once with a
 * token of that host's own (foreign-challenge.ts), never with the registry's credentials.
 */
import { RedirectRefusedError } from './errors.ts';
import type { HttpClient, HttpExchange, HttpRequest } from './http.ts';
import { redactUrl } from './redact.ts';
import {
  checkRedirect,
  isFollowedRedirect,
  MAX_REDIRECTS,
  mayCarryCredentials,
  methodAfterRedirect,
} from './redirect-policy.ts';
import type { StepName } from './types.ts';

/**
 * Answers the 401 challenge (the raw WWW-Authenticate header) of a host other than the one the
 * request's credentials belong to: an Authorization value for that host, or null to take the 401.
 */
export type ForeignChallengeHandler = (challenge: string, url: URL) => Promise<string | null>;

export interface RedirectOptions {
  /** The origin the request's Authorization header was issued for; no other origin receives it. */
  credentialOrigin: string;
  /** The step name of every hop after the first. @default the request's own step */
  hopStep?: StepName;
  answerForeignChallenge?: ForeignChallengeHandler | null;
  /** Sees every answer, redirects included (the registry's certificate and rate limit are on its own). */
  onAnswer?: (exchange: HttpExchange, url: URL) => void;
}

export interface FollowedExchange {
  /** The last answer: not a redirect. */
  exchange: HttpExchange;
  /** The URL that gave it. */
  url: URL;
  /** Every URL requested, the first included. */
  chain: URL[];
}

/** Sends `request` and follows its redirects (at most MAX_REDIRECTS), checking each destination first. */
export async function sendFollowingRedirects(
  http: HttpClient,
  request: HttpRequest,
  options: RedirectOptions,
): Promise<FollowedExchange> {
  const chain: URL[] = [request.url];
  // Tokens a foreign host granted, by origin, so the later hops to it carry them.
  const foreignAuthorization = new Map<string, string>();
  let { url, method, body } = request;
  for (let hop = 0; ; hop++) {
    const headers = headersFor(request.headers ?? {}, url, options.credentialOrigin, foreignAuthorization);
    const hopRequest: HttpRequest = {
      ...request,
      step: hop === 0 ? request.step : (options.hopStep ?? request.step),
      method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
    };
    if (body === undefined) delete hopRequest.body;
    let exchange = await http.send(hopRequest);
    if (
      exchange.status === 401 &&
      !mayCarryCredentials(url, options.credentialOrigin) &&
      !foreignAuthorization.has(url.origin) &&
      options.answerForeignChallenge &&
      exchange.headers['www-authenticate']
    ) {
      const authorization = await options.answerForeignChallenge(exchange.headers['www-authenticate'], url);
      if (authorization) {
        foreignAuthorization.set(url.origin, authorization);
        exchange = await http.send({ ...hopRequest, headers: { ...headers, authorization } });
      }
    }
    options.onAnswer?.(exchange, url);
    if (!isFollowedRedirect(exchange.status)) return { exchange, url, chain };

    const where = `${method} ${redactUrl(url)}`;
    const visited = chain.map((u) => redactUrl(u));
    // Docker's (Go's) rule: the 10th redirect answer ends the request.
    if (hop + 1 >= MAX_REDIRECTS) {
      throw new RedirectRefusedError(
        where,
        `stopped after ${MAX_REDIRECTS} redirects, as docker does`,
        visited,
      );
    }
    const decision = checkRedirect(url, exchange.headers['location'], options.credentialOrigin);
    if (!decision.allowed) {
      throw new RedirectRefusedError(where, `${exchange.status}: ${decision.reason}`, visited);
    }
    const next = methodAfterRedirect(exchange.status, method);
    if (next !== method) body = undefined;
    method = next;
    url = decision.target;
    chain.push(url);
  }
}

/** The request's headers for one hop: its Authorization only for the origin it belongs to. */
function headersFor(
  headers: Record<string, string>,
  url: URL,
  credentialOrigin: string,
  foreignAuthorization: Map<string, string>,
): Record<string, string> {
  if (mayCarryCredentials(url, credentialOrigin)) return headers;
  const rest = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  const foreign = foreignAuthorization.get(url.origin);
  return foreign ? { ...rest, authorization: foreign } : rest;
}
