export interface StreamLimiter {
  readonly max: number;
  /**
   * Takes one of `client`'s slots; null when it already holds `max`. The returned release gives
   * the slot back and may be called any number of times.
   */
  acquire(client: string): (() => void) | null;
  /** Slots `client` holds now. */
  held(client: string): number;
}

/**
 * Counts the long-lived streams each client holds open. A stream keeps a socket, timers and a
 * listener for as long as the client likes, so one client (a script in a loop, a page opened in a
 * hundred tabs) must not be able to take them all.
 */
export function createStreamLimiter(max: number): StreamLimiter {
  const open = new Map<string, number>();
  return {
    max,
    acquire(client) {
      const count = open.get(client) ?? 0;
      if (count >= max) return null;
      open.set(client, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(client) ?? 1) - 1;
        // Clients that hold nothing leave no entry behind, so the map stays as small as what is open.
        if (left > 0) open.set(client, left);
        else open.delete(client);
      };
    },
    held: (client) => open.get(client) ?? 0,
  };
}
