import { reportUnauthorized, storedToken } from './auth-token';
import { reportOffline, reportOnline } from './connection';
import type { FieldError, Problem } from './types';

/** A 4xx/5xx answer of the API, with its RFC 9457 problem details when it sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `the API answered ${status}`);
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

/** The API could not be reached at all (down, restarting, network gone). */
export class UnreachableError extends Error {}

/** A proxy or load balancer in front of a stopped API answers with these. */
const GATEWAY_DOWN = new Set([502, 503, 504]);

/**
 * Every request of the app goes through here: JSON in and out, problem+json turned into
 * ApiError, and the connection store told whether the API answered.
 */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    const token = storedToken();
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    reportOffline('the API does not answer');
    throw new UnreachableError('the API does not answer');
  }
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok && GATEWAY_DOWN.has(res.status) && !type.includes('json')) {
    reportOffline(`the API is unavailable (${res.status})`);
    throw new UnreachableError(`the API is unavailable (${res.status})`);
  }
  reportOnline();
  if (!res.ok) {
    const problem = type.includes('json') ? ((await res.json().catch(() => null)) as Problem | null) : null;
    if (res.status === 401) reportUnauthorized(problem?.detail ?? 'the API answered 401');
    throw new ApiError(res.status, problem);
  }
  return (await res.json()) as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof UnreachableError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
