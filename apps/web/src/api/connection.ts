/**
 * Whether the API answers, as one tiny store every request reports to. The banner reads it; when
 * the API is unreachable a probe of /healthz runs every few seconds, and its first success
 * refetches everything, so the page recovers by itself.
 */
import { useSyncExternalStore } from 'react';

export interface ConnectionState {
  online: boolean;
  /** Why the last request failed, for the banner. */
  reason: string | null;
  since: number | null;
}

let state: ConnectionState = { online: true, reason: null, since: null };
const listeners = new Set<() => void>();
const recoveredHandlers = new Set<() => void>();

function set(next: ConnectionState) {
  state = next;
  for (const l of listeners) l();
}

export function reportOnline(): void {
  if (state.online) return;
  set({ online: true, reason: null, since: null });
  for (const h of recoveredHandlers) h();
}

export function reportOffline(reason: string): void {
  if (!state.online) return;
  set({ online: false, reason, since: Date.now() });
  startProbe();
}

/** Called once the API answers again (the app refetches its queries here). */
export function onRecovered(handler: () => void): () => void {
  recoveredHandlers.add(handler);
  return () => recoveredHandlers.delete(handler);
}

export function useConnection(): ConnectionState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

/**
 * A page that shows finished results makes no requests of its own, so it would not notice the
 * API going away; a cheap /healthz every few seconds (while the tab is visible) tells it.
 */
export const HEARTBEAT_MS = 10_000;

export function startHeartbeat(): () => void {
  const timer = setInterval(() => {
    if (!state.online || document.visibilityState !== 'visible') return;
    fetch('/healthz', { cache: 'no-store' })
      .then((res) => {
        if (!res.ok) reportOffline(`the API is unavailable (${res.status})`);
      })
      .catch(() => reportOffline('the API does not answer'));
  }, HEARTBEAT_MS);
  return () => clearInterval(timer);
}

export const PROBE_INTERVAL_MS = 2_000;
let probing = false;

function startProbe() {
  if (probing) return;
  probing = true;
  const tick = async () => {
    if (state.online) {
      probing = false;
      return;
    }
    try {
      const res = await fetch('/healthz', { cache: 'no-store' });
      if (res.ok) {
        probing = false;
        reportOnline();
        return;
      }
    } catch {
      // still down
    }
    setTimeout(() => void tick(), PROBE_INTERVAL_MS);
  };
  setTimeout(() => void tick(), PROBE_INTERVAL_MS);
}
