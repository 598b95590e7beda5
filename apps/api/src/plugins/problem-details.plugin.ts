import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ProblemDetails } from '@resnet-lab/spec';
import { AppError, fromDomainError, type FieldError } from '../errors';
import { allowedMethods } from './method-not-allowed';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  414: 'URI Too Long',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Every error leaves the API as RFC 9457 problem+json; validation errors name each bad field. */
export function registerProblemDetails(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const error = (fromDomainError(raw) as FastifyError | null) ?? raw;
    let status = 500;
    let detail = 'internal error';
    let errors: FieldError[] | undefined;

    if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      const where = error.validationContext ?? 'body';
      errors = error.validation.map((v) => ({
        field: fieldName(where, v.instancePath),
        message: v.message ?? 'invalid value',
      }));
      detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    } else if (error instanceof AppError) {
      status = error.status;
      detail = error.message;
      errors = error.fieldErrors;
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large.
      status = error.statusCode;
      detail = error.message;
    }

    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, status, detail, errors);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allow = allowedMethods(app, request.url);
    // A route that itself answers "not found" (a missing static file) calls this handler too.
    if (allow.length === 0 || allow.includes(request.method)) {
      return sendProblem(request, reply, 404, `no route ${request.method} ${path}`);
    }
    reply.header('allow', allow.join(', '));
    return sendProblem(
      request,
      reply,
      405,
      `${path} does not answer ${request.method}; it answers ${allow.join(', ')}`,
    );
  });
}

/** Sends an RFC 9457 problem: every error of the API leaves through here. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const body: ProblemDetails = {
    type: status >= 500 ? 'about:blank' : `https://resnet-lab.dev/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: request.url,
    ...(errors ? { errors } : {}),
  };
  return reply.status(status).type('application/problem+json').send(body);
}

/** "/training/learningRate" in the body → "training.learningRate"; query fields keep a prefix. */
function fieldName(where: string, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  if (where === 'body') return path || '(body)';
  return path ? `${where}.${path}` : where;
}
