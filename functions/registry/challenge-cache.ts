/**
 * What each registry's /v2/ answered (its WWW-Authenticate challenge, or that it let us in), kept
 * per registry origin for the process, so that only the first probe of a registry pings it.
 *
 * Why: the ping's only use is the challenge, and a registry's challenge is a property of the
 * registry, not of the probe. containerd never pings: its resolver sends the manifest request
 * first and, on a 401, hands the response to its authorizer and retries
 * (https://github.com/containerd/containerd/blob/301026e58c619e63d09c0ec411012e54c0124b03/core/remotes/docker/resolver.go#L245-L314,
 * retryRequest at #L863-L872); its authorizer then keeps the challenge per host for the next
 * requests. Here the first probe of a registry still pings (its answer is what tells "this is not a
 * v2 registry" and "401 without a challenge" from a missing image), and every later probe, in the
 * same run or a later run of a warm Lambda, answers the known challenge straight away: with a
 * cached token (token.ts) that is no request at all before the manifest.
 *
 * A stale entry heals itself: a registry that changed its mind answers the manifest request with a
 * 401 (or refuses the token), and the client's one recovery (auth.ts Relogin) pings again and
 * replaces the entry. The realm policy is checked on every use, with the probe's own credentials,
 * as for a fresh ping. Bounded by entries and age.
 */
import type { Challenge } from './challenge.ts';

const MAX_ENTRIES = 256;
/** Long enough for a run and the next few; short enough that a change of auth is re-read soon. */
const MAX_AGE_MS = 15 * 60 * 1000;

export interface KnownChallenge {
  /** Empty when /v2/ let the probe in without authentication. */
  challenges: Challenge[];
  /** The raw WWW-Authenticate header, for evidence; null when there was none. */
  header: string | null;
}

interface Entry extends KnownChallenge {
  at: number;
}

export class ChallengeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** The challenge `origin` (scheme://host:port of a registry) answered, if still fresh. */
  get(origin: string): KnownChallenge | null {
    const entry = this.entries.get(origin);
    if (!entry) return null;
    if (this.now() - entry.at >= MAX_AGE_MS) {
      this.entries.delete(origin);
      return null;
    }
    return { challenges: entry.challenges, header: entry.header };
  }

  set(origin: string, known: KnownChallenge): void {
    this.entries.delete(origin);
    this.entries.set(origin, { ...known, at: this.now() });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(origin: string): void {
    this.entries.delete(origin);
  }

  get size(): number {
    return this.entries.size;
  }
}
