import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scopeAllows, type TokenScope } from '@resnet-lab/spec';
import type { VerifiedToken } from '@resnet-lab/db';
import type { AuthMode } from '../auth/auth-mode';
import { sendProblem } from './problem-details.plugin';

/**
 * Bearer tokens on every /v1 route (health checks, the OpenAPI document and the dashboard's files
 * stay open: they hold no data). Reading needs `read`, anything that changes state `submit`,
 * managing tokens `admin`. A missing or unknown token is a 401, too small a scope a 403. The token's
 * project becomes `request.project` (see project-scope.plugin.ts).
 */
export interface AuthOptions {
  mode: AuthMode;
  verify: (token: string) => Promise<VerifiedToken | null>;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FIELD = 'headers.authorization';
/** The cookie copy of a token (routes/session.routes.ts): accepted for reading only. */
export const SESSION_COOKIE = 'resnet_lab_token';

export function requiredScope(method: string, path: string): TokenScope {
  if (path === '/v1/tokens' || path.startsWith('/v1/tokens/')) return 'admin';
  // Any token may keep itself as a cookie (and drop it): that grants nothing it does not have.
  if (path === '/v1/session') return 'read';
  return READ_METHODS.has(method) ? 'read' : 'submit';
}

/** The token of an `Authorization: Bearer <token>` header; null for any other header or none. */
export function bearerToken(header: string | undefined): string | null {
  return header ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null) : null;
}

/**
 * The request's token: the Authorization header, or for a reading request the session cookie.
 * Never the cookie for anything that changes state: a browser sends cookies with requests other
 * sites make it send, so a cookie-authorised POST would be a cross-site request forgery.
 */
function requestToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) return bearerToken(header);
  if (!READ_METHODS.has(request.method)) return null;
  const cookies = request.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.join('=')) return value.join('=');
  }
  return null;
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  if (options.mode === 'none') return;
  app.addHook('onRequest', async (request, reply) => {
    // The route the router matched, not the raw URL: `/%761/grids` is routed to /v1/grids too.
    // A request that matched no route gets its (undecoded) path; it can only be a 404 or 405.
    const path = request.routeOptions.url ?? request.url.split('?')[0]!;
    if (!path.startsWith('/v1/') && path !== '/v1') return;
    const token = requestToken(request);
    const unauthorized = (detail: string, message: string) => {
      reply.header('www-authenticate', 'Bearer realm="resnet-lab"');
      return sendProblem(request, reply, 401, detail, [{ field: FIELD, message }]);
    };
    if (!token) {
      return unauthorized('this API needs a bearer token', 'send Authorization: Bearer <token>');
    }
    const holder = await options.verify(token);
    if (!holder) return unauthorized('the bearer token is unknown or revoked', 'unknown or revoked token');
    const need = requiredScope(request.method, path);
    if (!scopeAllows(holder.scope, need)) {
      return sendProblem(
        request,
        reply,
        403,
        `${request.method} ${path} needs a token with scope ${need}; this one (${holder.name}) has ${holder.scope}`,
        [{ field: FIELD, message: `scope ${holder.scope} is not enough; ${need} is needed` }],
      );
    }
    request.project = holder.project;
    request.log = request.log.child({ token: holder.name, project: holder.project });
  });
}
