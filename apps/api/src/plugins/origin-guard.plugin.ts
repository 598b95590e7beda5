import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendProblem } from './problem-details.plugin';

/**
 * Which web pages may use the API from a browser. The dashboard is served by the API itself, so
 * its requests are same-origin; other origins must be listed (CORS_ORIGINS). Browsers send a POST
 * without a body, or a form's POST, without asking first (no preflight), so answering CORS headers
 * is not enough: a state-changing request from an origin not listed is refused outright (403), or
 * any page a researcher opens could cancel their grids. Clients that are not browsers send no
 * Origin and are not affected.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALLOWED_METHODS = 'GET, HEAD, POST, PATCH, PUT, DELETE';
const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key, If-None-Match, Authorization';
const PREFLIGHT_MAX_AGE_S = '600';

function sameOrigin(request: FastifyRequest, origin: string): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false; // "null" (sandboxed frames, file://) or garbage: never our own page
  }
}

export function registerOriginGuard(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, '')));

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || sameOrigin(request, origin)) return;
    if (allowed.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-expose-headers', 'ETag, Retry-After, Location');
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        reply.header('access-control-allow-methods', ALLOWED_METHODS);
        reply.header('access-control-allow-headers', ALLOWED_HEADERS);
        reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_S);
        return reply.code(204).send();
      }
      return;
    }
    if (!SAFE_METHODS.has(request.method)) {
      return sendProblem(
        request,
        reply,
        403,
        `cross-origin ${request.method} from ${origin} refused; an API operator can allow it in CORS_ORIGINS`,
        [{ field: 'headers.origin', message: `${origin} is not an allowed origin` }],
      );
    }
  });
}
