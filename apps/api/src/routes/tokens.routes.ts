import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemDetails, TokenView } from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';

/**
 * Listing and revoking tokens (scope admin). Creating one is done on the server with
 * `resnet-lab token create`, so a secret is only ever printed on an operator's terminal.
 */
export const tokensRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/tokens',
    {
      schema: {
        summary: 'List API tokens (never their secrets)',
        tags: ['tokens'],
        response: { 200: z.object({ tokens: z.array(TokenView) }) },
      },
    },
    async () => ({ tokens: await deps.repos.tokens.list() }),
  );

  app.delete(
    '/v1/tokens/:id',
    {
      schema: {
        summary: 'Revoke an API token; requests with it are refused from now on',
        tags: ['tokens'],
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null(), 404: ProblemDetails },
      },
    },
    async (request, reply) => {
      if (!(await deps.repos.tokens.revoke(request.params.id))) {
        throw notFound('token', request.params.id);
      }
      return reply.status(204).send(null);
    },
  );
};
