import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerToken, SESSION_COOKIE } from '../plugins/auth.plugin';

/** A month: the cookie is only a copy of a token, which stays valid until it is revoked. */
const MAX_AGE_SECONDS = 30 * 24 * 3600;

/**
 * A browser's copy of its bearer token as a cookie, for what cannot send the header: the
 * dashboard's event streams (EventSource) and download links. The cookie is HttpOnly and
 * SameSite=Strict, and the API accepts it for reading only (GET, HEAD): a page elsewhere can make
 * the browser send it, but never to change anything.
 */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/session',
    {
      schema: {
        summary: 'Keep the bearer token as a cookie for reading (event streams, downloads)',
        description:
          'Needs the token in the Authorization header; answers with an HttpOnly, SameSite=Strict cookie ' +
          'holding it, which authorises GET and HEAD requests only. Single-user mode needs no token: no cookie.',
        tags: ['tokens'],
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (token) void reply.header('set-cookie', cookie(token, MAX_AGE_SECONDS, request.protocol === 'https'));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/v1/session',
    {
      schema: {
        summary: 'Forget the token cookie of this browser',
        tags: ['tokens'],
        response: { 204: z.null() },
      },
    },
    async (request, reply) =>
      reply
        .header('set-cookie', cookie('', 0, request.protocol === 'https'))
        .status(204)
        .send(null),
  );
};

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
