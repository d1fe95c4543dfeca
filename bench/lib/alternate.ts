/**
 * Runs two (or more) contenders in turns, A B A B ..., so that whatever else the machine is doing
 * (other test suites, CPU frequency, page cache) falls on both alike, and a drift over the run
 * shows up in both series instead of favouring whichever ran second.
 */

export interface Contender<T> {
  name: string;
  run: () => Promise<T>;
}

export interface AlternationOptions {
  rounds: number;
  /** Untimed rounds first: page cache, JIT, TLS session caches of the servers. */
  warmup: number;
}

export async function alternate<T>(
  contenders: readonly Contender<T>[],
  options: AlternationOptions,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    // Flip the order every round too (A B, B A, ...): the first of a pair is not always the colder one.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const value = await contender.run();
      if (round >= options.warmup) results.get(contender.name)!.push(value);
    }
  }
  return results;
}
