/**
 * The registrable domain of a host (the part one owner controls, per the public suffix list), for
 * the realm policy's same-owner rule (realm-policy.ts).
 *
 * Loaded on first use, not at start-up: tldts's list is ~140 KB of the CLI's start-up chunk and of
 * the probe Lambda's cold-start load (dist/cli/metafile.json), and only a probe that sends
 * credentials to a token realm on another host of its registry ever consults it. An anonymous
 * probe (`registry-canary probe docker.io/library/alpine`) never loads it.
 *
 * The private section of the list is included, so that a.github.io and b.github.io count as
 * different owners.
 */
export type RegistrableDomainOf = (host: string) => string | null;

let loading: Promise<RegistrableDomainOf> | undefined;

/** The lookup, importing tldts once per process. */
export function loadRegistrableDomain(): Promise<RegistrableDomainOf> {
  loading ??= import('tldts').then(
    ({ getDomain }) =>
      (host: string) =>
        getDomain(host, { allowPrivateDomains: true }),
  );
  return loading;
}
