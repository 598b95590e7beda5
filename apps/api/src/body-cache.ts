import { singleFlight } from './single-flight';

/** A body that is already JSON text (built by the database): sent as it is, not serialised again. */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * Serialised answers by ETag. An ETag names one version of a resource, so the body built for it
 * never goes stale: a finished grid's curves (a few MB of JSON built from 100,000 metric rows) are
 * built once and then sent to every dashboard that opens the grid. Concurrent requests for an ETag
 * share one build; the least recently used bodies are dropped once they hold more than `maxChars`.
 * `keep: false` builds (once per concurrent ETag) without storing: the routes keep only finished
 * grids, whose version cannot miss a change (a running grid's version rests on timestamps written
 * by several hosts' clocks, which a 304 may trust for one poll but a shared cache should not).
 */
export function bodyCache(
  maxChars: number,
): (etag: string, build: () => Promise<unknown>, keep?: boolean) => Promise<string> {
  const bodies = new Map<string, string>();
  let chars = 0;
  const once = singleFlight<string>();
  return async (etag, build, keep = true) => {
    const cached = bodies.get(etag);
    if (cached !== undefined) {
      // Re-inserted: Map order is then least recently used first.
      bodies.delete(etag);
      bodies.set(etag, cached);
      return cached;
    }
    return once(etag, async () => {
      const value = await build();
      const body = value instanceof JsonText ? value.text : JSON.stringify(value);
      if (!keep) return body;
      bodies.set(etag, body);
      chars += body.length;
      for (const [key, old] of bodies) {
        if (chars <= maxChars || key === etag) break;
        bodies.delete(key);
        chars -= old.length;
      }
      return body;
    });
  };
}
