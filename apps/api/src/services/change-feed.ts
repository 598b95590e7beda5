/** One read of a watched resource: its state, a version tag of it, and whether it can still change. */
export interface FeedState<T> {
  data: T;
  version: string;
  final: boolean;
}

/** Receives each new state of the resource, or null once it no longer exists. */
export type FeedListener<T> = (state: FeedState<T> | null) => void;

export interface ChangeFeed<T> {
  /**
   * Watches `id`: the listener gets the state already read at once (when there is one), then every
   * changed state. After a final state or null the feed drops the listener by itself.
   * Returns the function that stops watching; calling it again does nothing.
   */
  subscribe(id: string, listener: FeedListener<T>): () => void;
  /** Whether `id` is watched and was read to exist: a new watcher needs no existence check. */
  known(id: string): boolean;
  /** Pollers running (one per watched id), listeners over all of them, and reads made so far. */
  stats(): { pollers: number; listeners: number; reads: number };
  /** Stops every poller; their listeners hear nothing more. */
  close(): void;
}

export interface ChangeFeedOptions<T> {
  /** Reads the resource's current state; null when it does not exist (any more). */
  read: (id: string) => Promise<FeedState<T> | null>;
  intervalMs: number;
  /** A failed read is reported here and tried again at the next interval. */
  onError: (error: unknown, id: string) => void;
}

interface Poller<T> {
  listeners: Set<FeedListener<T>>;
  last: FeedState<T> | undefined;
  timer: NodeJS.Timeout;
  busy: boolean;
  stopped: boolean;
}

/**
 * One poller per watched resource, shared by everyone watching it: it starts with the first
 * listener, reads every `intervalMs` (never two reads of one id at once), hands each changed state
 * to all listeners, and stops with the last listener or after a final state. Reads of the database
 * then grow with the number of watched resources, not with the number of watchers: 300 dashboards
 * on one grid cost one query a second, where a query per stream starved the connection pool.
 */
export function createChangeFeed<T>({ read, intervalMs, onError }: ChangeFeedOptions<T>): ChangeFeed<T> {
  const pollers = new Map<string, Poller<T>>();
  let reads = 0;

  const stop = (id: string, poller: Poller<T>) => {
    poller.stopped = true;
    clearInterval(poller.timer);
    if (pollers.get(id) === poller) pollers.delete(id);
  };

  // One listener that throws (a socket in a bad state) must not keep the others from hearing it.
  const deliver = (listener: FeedListener<T>, state: FeedState<T> | null, id: string) => {
    try {
      listener(state);
    } catch (error) {
      onError(error, id);
    }
  };

  const tick = async (id: string, poller: Poller<T>) => {
    if (poller.busy || poller.stopped) return;
    poller.busy = true;
    reads += 1;
    try {
      const state = await read(id);
      if (poller.stopped) return;
      const changed = !state || state.version !== poller.last?.version;
      if (state) poller.last = state;
      // Nothing can follow a final state or a vanished resource: stop before telling anyone, so a
      // watcher arriving in the meantime starts a fresh poller instead of joining a finished one.
      if (!state || state.final) stop(id, poller);
      if (changed) for (const listener of [...poller.listeners]) deliver(listener, state, id);
      if (poller.stopped) poller.listeners.clear();
    } catch (error) {
      onError(error, id);
    } finally {
      poller.busy = false;
    }
  };

  const start = (id: string): Poller<T> => {
    const poller: Poller<T> = {
      listeners: new Set(),
      last: undefined,
      timer: setInterval(() => void tick(id, poller), intervalMs),
      busy: false,
      stopped: false,
    };
    pollers.set(id, poller);
    void tick(id, poller);
    return poller;
  };

  return {
    subscribe(id, listener) {
      const poller = pollers.get(id) ?? start(id);
      poller.listeners.add(listener);
      const current = poller.last;
      // A late watcher gets the state the others already have, without a read of its own. Handed
      // over on the next microtask, so the listener can already use the unsubscribe it is given;
      // skipped if a newer state came first (that one went to every listener, this one included).
      if (current) {
        queueMicrotask(() => {
          if (poller.listeners.has(listener) && poller.last === current) deliver(listener, current, id);
        });
      }
      return () => {
        if (!poller.listeners.delete(listener)) return;
        if (poller.listeners.size === 0) stop(id, poller);
      };
    },
    known: (id) => pollers.get(id)?.last !== undefined,
    stats() {
      let listeners = 0;
      for (const poller of pollers.values()) listeners += poller.listeners.size;
      return { pollers: pollers.size, listeners, reads };
    },
    close() {
      for (const [id, poller] of [...pollers]) {
        poller.listeners.clear();
        stop(id, poller);
      }
    },
  };
}
