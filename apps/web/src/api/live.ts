/**
 * Live updates from the API's Server-Sent Events (/v1/grids/:id/events,
 * /v1/experiments/:id/events). Each event refreshes the queries it affects; while the stream is
 * not connected the pages poll instead (mode 'polling'), so a proxy that drops SSE or an API
 * restart costs freshness of a couple of seconds, never correctness.
 */
import { useEffect, useRef, useState } from 'react';
import { onRecovered } from './connection';

export type LiveMode = 'connecting' | 'live' | 'polling' | 'ended';

export function useEventStream<T>(
  url: string | null,
  event: string,
  onData: (data: T) => void,
  onEnd: () => void,
): LiveMode {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const [attempt, setAttempt] = useState(0);
  const handlers = useRef({ onData, onEnd });
  handlers.current = { onData, onEnd };

  // After the API comes back, a stream that gave up (closed on an error answer) is opened again.
  useEffect(() => onRecovered(() => setAttempt((n) => n + 1)), []);

  useEffect(() => {
    if (!url) {
      setMode('ended');
      return;
    }
    if (typeof EventSource === 'undefined') {
      setMode('polling');
      return;
    }
    setMode('connecting');
    const source = new EventSource(url);
    source.addEventListener(event, (e) => {
      setMode('live');
      try {
        handlers.current.onData(JSON.parse((e as MessageEvent<string>).data) as T);
      } catch {
        // A malformed event is skipped; the next one carries the whole state again.
      }
    });
    // The server ends the stream once nothing can change; EventSource would otherwise reconnect.
    source.addEventListener('end', () => {
      source.close();
      setMode('ended');
      handlers.current.onEnd();
    });
    source.onerror = () => {
      // CONNECTING: the browser retries by itself; CLOSED: it gave up. Poll meanwhile either way.
      setMode((m) => (m === 'ended' ? m : 'polling'));
    };
    return () => source.close();
  }, [url, event, attempt]);

  return mode;
}
