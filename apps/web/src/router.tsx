/**
 * A router of a few lines: the app has five pages, and its state (grid id, filters, metric,
 * compared ids) lives in the URL's path and query, so links can be shared and reloaded (the
 * API answers index.html for these paths). History API only; no dependency.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const NAVIGATE = 'resnet-lab:navigate';

function subscribe(listener: () => void) {
  window.addEventListener('popstate', listener);
  window.addEventListener(NAVIGATE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(NAVIGATE, listener);
  };
}

/** pathname + search: a new string only when the URL changed. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  if (!replace) window.scrollTo(0, 0);
}

/**
 * Changes some query parameters of the current URL (null or '' removes one). Filters and sort
 * order replace the history entry, so Back leaves the page rather than undoing each click.
 */
export function setSearch(changes: Record<string, string | null>, { replace = true } = {}): void {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  navigate(url.pathname + url.search, { replace });
}

export type Route =
  | { page: 'grids' }
  | { page: 'grid'; id: string }
  | { page: 'experiment'; id: string }
  | { page: 'compare' }
  | { page: 'workers' }
  | { page: 'not-found' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'grids' };
  if (path === '/compare') return { page: 'compare' };
  if (path === '/workers') return { page: 'workers' };
  const grid = /^\/grids\/([^/]+)$/.exec(path);
  if (grid) return { page: 'grid', id: decodeURIComponent(grid[1]!) };
  const experiment = /^\/experiments\/([^/]+)$/.exec(path);
  if (experiment) return { page: 'experiment', id: decodeURIComponent(experiment[1]!) };
  return { page: 'not-found' };
}

/** An ordinary link (so middle-click and "open in new tab" work) that navigates in place on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={to} onClick={onClick} />;
}
