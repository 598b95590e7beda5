import { z } from 'zod';
import { ProblemDetails } from '@resnet-lab/spec';

/**
 * The error responses of the document: every error the API sends is RFC 9457 problem+json (see
 * plugins/problem-details.plugin.ts), so each status is one shared response in
 * `components.responses` that operations reference, and the ProblemDetails schema is written once.
 */

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
export const PROBLEM_SCHEMA_REF = '#/components/schemas/ProblemDetails';

interface ProblemStatus {
  name: string;
  /** When the API answers it: the document's description of the response. */
  when: string;
  headers?: Record<string, { description: string; required?: boolean; schema: object }>;
}

const PROBLEM_STATUSES: Record<string, ProblemStatus> = {
  400: {
    name: 'BadRequest',
    when:
      'The request is malformed: a field fails its schema (each is named in `errors`), the body is not JSON, ' +
      'nests too deep or holds a NUL or a lone surrogate, or the URL is not valid UTF-8.',
  },
  401: {
    name: 'Unauthorized',
    when: 'AUTH_MODE=tokens: no bearer token, or an unknown or revoked one (`errors` names the header).',
    headers: {
      'WWW-Authenticate': {
        description: 'Always `Bearer realm="resnet-lab"`.',
        required: true,
        schema: { type: 'string' },
      },
    },
  },
  403: {
    name: 'Forbidden',
    when:
      'A state-changing request from a web origin that is neither the API’s own nor listed in CORS_ORIGINS ' +
      '(`errors` names the Origin header); or, with AUTH_MODE=tokens, a token whose scope is below the one ' +
      'the operation needs.',
  },
  404: { name: 'NotFound', when: 'The resource named in the path does not exist, or no route has this path.' },
  405: {
    name: 'MethodNotAllowed',
    when:
      'The path exists, but not with this method. Sent for any operation’s path with a method the path does not ' +
      'list; `Allow` names the methods it has.',
    headers: {
      Allow: {
        description: 'The methods this path answers, e.g. `GET, HEAD, POST`.',
        required: true,
        schema: { type: 'string' },
      },
    },
  },
  408: {
    name: 'RequestTimeout',
    when:
      'The request body did not arrive within the request timeout of its headers; the connection is closed. ' +
      '(Headers that never end get a bare 408 from the HTTP server before any route runs.)',
  },
  409: { name: 'Conflict', when: 'The resource is not in a state that allows the change, or an idempotency conflict.' },
  413: { name: 'PayloadTooLarge', when: 'The body is larger than the API’s body limit (1 MiB by default).' },
  414: { name: 'UriTooLong', when: 'A path parameter is longer than the router accepts (100 characters).' },
  415: { name: 'UnsupportedMediaType', when: 'The body’s Content-Type is neither application/json nor text/plain.' },
  429: {
    name: 'TooManyRequests',
    when:
      'The client (by IP address) went past its request budget (RATE_LIMIT_MAX per window; `Retry-After` says ' +
      'when to retry), or holds too many open event streams.',
    headers: {
      'Retry-After': {
        description: 'Seconds until the rate limit lets this client in again (not sent for the stream cap).',
        schema: { type: 'string' },
      },
    },
  },
  500: { name: 'InternalServerError', when: 'An unexpected failure; the server logged it.' },
  503: { name: 'ServiceUnavailable', when: 'Busy or overrun (e.g. every compute thread is taken): retry later.' },
};

/** The `$ref` to a problem status's shared response; `components` gets it from problemComponents. */
export function problemResponseRef(status: string): { $ref: string } {
  return { $ref: `#/components/responses/${problemStatus(status).name}` };
}

function problemStatus(status: string): ProblemStatus {
  return PROBLEM_STATUSES[status] ?? { name: `Problem${status}`, when: `An error (HTTP ${status}).` };
}

/** `components.responses` for the given statuses, and the schema they share. */
export function problemComponents(statuses: Iterable<string>): {
  schemas: Record<string, object>;
  responses: Record<string, object>;
} {
  const responses: Record<string, object> = {};
  for (const status of [...new Set(statuses)].sort()) {
    const { name, when, headers } = problemStatus(status);
    responses[name] = {
      description: when,
      ...(headers ? { headers } : {}),
      content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
    };
  }
  const { $schema: _dialect, ...schema } = z.toJSONSchema(ProblemDetails, { io: 'output', unrepresentable: 'any' });
  return { schemas: { ProblemDetails: schema }, responses };
}

/** Methods whose body fastify reads: only they can run into the body's limits and checks. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The errors an operation can get from the API's shared plugins, whatever its route declares:
 * the input guard and a bad URL (400), the origin guard on state-changing methods (403), the body's
 * deadline, limit and content type (408, 413, 415), the router's limit on path parameters (414),
 * the rate limit (429, except on `rateLimitExempt` paths) and a failure (500).
 */
export function genericProblemStatuses(method: string, path: string, rateLimitExempt: ReadonlySet<string>): string[] {
  const statuses = ['400', '500'];
  if (BODY_METHODS.has(method)) statuses.push('403', '408', '413', '415');
  if (path.includes('{')) statuses.push('414');
  if (!rateLimitExempt.has(path)) statuses.push('429');
  return statuses;
}
