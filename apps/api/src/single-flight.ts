/**
 * Concurrent callers asking for the same key share one in-flight promise. Under a poll storm
 * (200 clients on one experiment) this turns 200 identical Postgres reads into one, and no
 * answer is older than the read that was running when its request arrived.
 */
export function singleFlight<T>(): (key: string, load: () => Promise<T>) => Promise<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key, load) => {
    const running = inFlight.get(key);
    if (running) return running;
    const next = load().finally(() => inFlight.delete(key));
    inFlight.set(key, next);
    return next;
  };
}
