/**
 * Which variables a configuration loader reads, found by watching it read an environment
 * (a Proxy), not by reading its source: a variable named through a prefix constant or a
 * helper is found as well.
 */

export function variablesRead(load: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv, prefix: string): Set<string> {
  const read = new Set<string>();
  const watched = new Proxy(
    { ...env },
    {
      get(target, key, receiver) {
        if (typeof key === 'string' && key.startsWith(prefix)) read.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
      has(target, key) {
        if (typeof key === 'string' && key.startsWith(prefix)) read.add(key);
        return Reflect.has(target, key);
      },
    },
  );
  load(watched);
  return read;
}
