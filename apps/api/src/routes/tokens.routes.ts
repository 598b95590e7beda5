import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemDetails, TokenView } from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';

/**
 * Listing and revoking tokens (scope admin). Creating one is done on the server with
 * `resnet-lab token create`, so a secret is only ever printed on an operator's terminal. An admin
 * token sees and revokes the tokens of its own project only.
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
    // An admin token manages its own project's tokens; single-user mode sees every project's.
    async (request) => ({ tokens: await deps.repos.tokens.list(request.project ?? undefined) }),
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
      if (!(await deps.repos.tokens.revoke(request.params.id, request.project ?? undefined))) {
        throw notFound('token', request.params.id);
      }
      return reply.status(204).send(null);
    },
  );
};
