/** Reads each tensor of a weight source once and keeps it (engines read every weight at every token). */
export function cachedWeights<T>(read: (name: string) => T): { tensor(name: string): T } {
  const cache = new Map<string, T>();
  return {
    tensor(name: string): T {
      let t = cache.get(name);
      if (t === undefined) cache.set(name, (t = read(name)));
      return t;
    },
  };
}
