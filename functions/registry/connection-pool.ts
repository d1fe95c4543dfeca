/**
 * Connections kept across probes in one process, so that the targets of one run on the same
 * registry (and every run of a warm Lambda) reuse them instead of paying DNS, TCP and a TLS
 * handshake each, and so that a connector (its secure context, its guarded lookup) is built once
 * per set of trust settings rather than once per probe.
 *
 * What is shared is a lease: one undici dispatcher with its own ConnectionLog (timing.ts). A probe
 * holds a lease for its whole walk and sends one request at a time over it, so which connection a
 * request went over, whether it was new, and which certificate it carries stay as predictable as
 * with a dispatcher of its own; two probes never share a lease at the same time. A lease that saw
 * a failure is destroyed, not returned: an aborted request leaves its connection in no known state.
 *
 * The key holds everything a connection depends on: the origin (or proxy), the extra CAs, the
 * registry whose own addresses the lookup guard allows (forbidden-hosts.ts), the request timeout
 * and the lookup function. A connection opened for one registry's probe is never handed to
 * another registry's, so a realm or redirect host reached under one registry's guard is never
 * reused under another's. Credentials are not part of a connection (they ride on each request),
 * which is why sharing connections across targets with different credentials is safe.
 *
 * Bounded: at most MAX_IDLE_PER_KEY idle leases per key and MAX_KEYS keys, least recently used
 * first out; what falls out is destroyed.
 */
import type { Dispatcher } from 'undici';
import { ConnectionLog } from './timing.ts';

/** Idle leases kept per key: the run's per-registry cap (functions/run/concurrency.ts) is below it. */
export const MAX_IDLE_PER_KEY = 32;
/** Distinct origins x settings kept: a fleet's registries, realms and storage hosts. */
export const MAX_KEYS = 128;

export interface Lease<D extends Dispatcher = Dispatcher> {
  readonly key: string;
  readonly dispatcher: D;
  readonly log: ConnectionLog;
}

export class ConnectionPool {
  /** Insertion order is recency order: a key used again is moved to the end. */
  private readonly idle = new Map<string, Lease[]>();

  constructor(
    readonly now: () => number = () => performance.now(),
    readonly wallClock: () => number = () => Date.now(),
  ) {}

  /** An idle lease for `key`, or a new one whose dispatcher `create` builds around its log. */
  acquire<D extends Dispatcher>(key: string, create: (log: ConnectionLog) => D): Lease<D> {
    const list = this.idle.get(key);
    const reused = list?.pop();
    if (list && list.length === 0) this.idle.delete(key);
    if (reused) return reused as Lease<D>;
    const log = new ConnectionLog(this.now, this.wallClock);
    return { key, dispatcher: create(log), log };
  }

  /** Gives a lease back for the next probe; destroys it when the pool is full. */
  release(lease: Lease): void {
    const list = this.idle.get(lease.key) ?? [];
    this.idle.delete(lease.key);
    if (list.length >= MAX_IDLE_PER_KEY) {
      void destroy(lease);
    } else {
      list.push(lease);
    }
    if (list.length > 0) this.idle.set(lease.key, list);
    while (this.idle.size > MAX_KEYS) {
      const oldest = this.idle.keys().next().value!;
      for (const stale of this.idle.get(oldest) ?? []) void destroy(stale);
      this.idle.delete(oldest);
    }
  }

  /** How many idle leases the pool holds (all keys). */
  get idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  /** Ends every idle connection (tests, and a process that wants to exit at once). */
  async clear(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.allSettled(all.map(destroy));
  }
}

export async function destroy(lease: Lease): Promise<void> {
  await lease.dispatcher.destroy().catch(() => {});
}

/** The process's pool: every probe's HttpClient leases from it unless given its own. */
export const sharedConnectionPool = new ConnectionPool();

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 1;

/** A stable id for a function (a lookup), so that two settings with the same function share a key. */
export function identityOf(fn: object | undefined): string {
  if (!fn) return '-';
  let id = functionIds.get(fn);
  if (id === undefined) {
    id = nextFunctionId++;
    functionIds.set(fn, id);
  }
  return `f${id}`;
}
