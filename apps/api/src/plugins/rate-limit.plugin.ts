import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RateLimitOptions {
  /** Requests one client (by IP) may make per window; 0 turns the limit off. */
  max: number;
  windowMs: number;
}

/** Probes must keep answering whatever a client on the same address does. */
export const RATE_LIMIT_EXEMPT: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * A per-client request budget (in this process's memory: one API process per host is the
 * deployment here; several would each count on their own). Over it, a 429 problem+json with
 * Retry-After, so one client's loop cannot take the API from everyone else.
 */
export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  if (options.max <= 0) return;
  await app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    allowList: (request) => RATE_LIMIT_EXEMPT.has(request.url.split('?')[0]!),
    // Thrown to the error handler, which answers it as problem+json like every other error.
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(
          `too many requests: at most ${context.max} per ${options.windowMs / 1000} s; retry in ${context.after}`,
        ),
        { statusCode: 429 },
      ),
  });
}
