import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { submitProject } from '../plugins/project-scope.plugin';
import type { Answer, IdempotentRequest } from '../services/idempotency.service';

const KEY_MESSAGE = 'Idempotency-Key must be 1 to 200 printable ASCII characters';

/**
 * The optional Idempotency-Key header of creating routes, for their schema (and so the OpenAPI
 * document). Fastify hands headers over lower-cased, hence the name.
 */
export const IdempotencyKeyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1, { error: KEY_MESSAGE, abort: true })
    .max(200, { error: KEY_MESSAGE, abort: true })
    .regex(/^[\x20-\x7e]+$/, { error: KEY_MESSAGE })
    .optional()
    .describe(
      'Makes the request safe to repeat: a repeat with the same key, route and body gets the first ' +
        "request's answer (status and body) and creates nothing; another body or route with the key is a 409. " +
        'Up to 200 printable ASCII characters, remembered for 24 h; only successful answers are stored.',
    ),
});

/**
 * The request's key, project, route and validated body; null without a key.
 */
export function idempotentRequest(request: FastifyRequest): IdempotentRequest | null {
  const key = (request.headers as z.infer<typeof IdempotencyKeyHeaders>)['idempotency-key'];
  if (key === undefined) return null;
  return {
    key,
    project: submitProject(request),
    route: `${request.method} ${request.routeOptions.url}`,
    body: request.body,
  };
}

/** Sends the answer; a replayed one says so in a header (its status and body are the first answer's). */
export function sendAnswer<T>(reply: FastifyReply, answer: Answer<T> & { replayed: boolean }): FastifyReply {
  if (answer.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(answer.status).send(answer.body);
}
