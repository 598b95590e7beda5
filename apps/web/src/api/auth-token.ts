/**
 * The API token of this browser, for an API run with AUTH_MODE=tokens (in single-user mode none
 * is needed and this stays empty). Kept in localStorage, so it survives reloads and stays on this
 * machine; a 401 from the API clears the "authorised" state, and the prompt asks for one.
 */
import { useSyncExternalStore } from 'react';

const STORAGE_KEY = 'resnet-lab-token';

export interface AuthState {
  /** The API answered 401: a token is needed, or the one stored was refused. */
  required: boolean;
  /** The API's reason, shown with the prompt. */
  reason: string | null;
}

let state: AuthState = { required: false, reason: null };
const listeners = new Set<() => void>();
const changeHandlers = new Set<() => void>();

function set(next: AuthState) {
  state = next;
  for (const l of listeners) l();
}

export function storedToken(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: requests go without a token
  }
}

export function saveToken(token: string): void {
  localStorage.setItem(STORAGE_KEY, token.trim());
  set({ required: false, reason: null });
  for (const h of changeHandlers) h();
}

export function reportUnauthorized(reason: string): void {
  if (state.required && state.reason === reason) return;
  set({ required: true, reason });
}

/**
 * Has the API keep the token as a cookie too, which it accepts for reading only: event streams
 * (EventSource) and download links cannot send the Authorization header. Without it the pages
 * would poll and downloads would answer 401. Resolves whatever the answer; nothing depends on it.
 */
export async function keepTokenAsCookie(): Promise<void> {
  const token = storedToken();
  if (!token) return;
  try {
    // Bounded: the first page waits for this, and a stalled API must not leave it blank.
    await fetch('/v1/session', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(3_000),
    });
  } catch {
    // The API is down: the pages poll until it is back, and the next page load sets the cookie.
  }
}

/** Called when a new token is saved (the app refetches everything then). */
export function onTokenChanged(handler: () => void): () => void {
  changeHandlers.add(handler);
  return () => changeHandlers.delete(handler);
}

export function useAuth(): AuthState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}
