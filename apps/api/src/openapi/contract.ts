import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { ProblemDetails } from '@resnet-lab/spec';
import type { AuthMode } from '../auth/auth-mode';
import { RATE_LIMIT_EXEMPT } from '../plugins/rate-limit.plugin';
import { operationIdOf } from './operation-id';
import { genericProblemStatuses, problemComponents, problemResponseRef } from './problem-responses';
import { operationSecurity, rootSecurity, securitySchemes } from './security';

/**
 * The swagger options that make /openapi.json say what the API really sends, in one place rather
 * than in every route: route schemas keep declaring zod types, and this
 * - answers every error status as a shared problem+json response (the routes' 4xx/5xx declared as
 *   ProblemDetails, and the errors every route can get from the shared plugins);
 * - gives success responses their real media type where it is not JSON (SUCCESS_CONTENT);
 * - gives every operation an operationId (its own, or one from method and path) and the document
 *   a `servers` entry.
 *
 * - documents the bearer tokens where AUTH_MODE=tokens enforces them, and no scheme where nothing
 *   checks credentials (security.ts).
 */

/** Where the transform leaves, per operation, which declared statuses are problems (removed again). */
const PROBLEM_STATUSES_KEY = 'x-problem-statuses';

/** Success bodies that are not JSON, by operation: the route sets the content type itself. */
const BINARY = { 'application/octet-stream': {} };
const SUCCESS_CONTENT: Record<string, (json: MediaType | undefined) => Record<string, MediaType>> = {
  'get /v1/grids/{id}/export': (json) => ({
    'text/csv': { schema: { type: 'string', description: 'One row per experiment (?format=csv).' } },
    'application/json': { schema: objectBranch(json?.schema) ?? { type: 'object' } },
  }),
  'get /v1/experiments/{id}/checkpoints/{epoch}': () => BINARY,
  'get /v1/experiments/{id}/model/weights.bin': () => BINARY,
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface MediaType {
  schema?: Record<string, unknown>;
}
interface Response {
  description?: string;
  content?: Record<string, MediaType>;
  $ref?: string;
}
interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses?: Record<string, Response>;
  [PROBLEM_STATUSES_KEY]?: string[];
}
interface Document {
  info?: { description?: string };
  servers?: { url: string; description?: string }[];
  security?: Record<string, string[]>[];
  paths?: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components?: {
    schemas?: Record<string, unknown>;
    responses?: Record<string, unknown>;
    securitySchemes?: Record<string, unknown>;
  };
}

/** zod to JSON Schema as before, noting which declared responses are ProblemDetails. */
const transform: SwaggerTransform = (input) => {
  const result = jsonSchemaTransform(input);
  const declared = (input.schema as { response?: Record<string, unknown> } | undefined)?.response;
  if (declared && !result.schema.hide) {
    const problems = Object.keys(declared).filter((status) => declared[status] === ProblemDetails);
    Object.assign(result.schema, { [PROBLEM_STATUSES_KEY]: problems });
  }
  return result;
};

const transformObject =
  (authMode: AuthMode): SwaggerTransformObject =>
  (input) => {
    if (!('openapiObject' in input)) throw new Error('only OpenAPI 3 documents are generated');
    const doc = input.openapiObject as Document;
    const usedProblems = new Set(['404', '405']); // unknown paths and wrong methods, on no operation of their own
    const ids = new Map<string, string>();

    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const key = `${method} ${path}`;
        operation.operationId ??= operationIdOf(method, path);
        const clash = ids.get(operation.operationId);
        if (clash) throw new Error(`operationId ${operation.operationId} of ${key} is also that of ${clash}`);
        ids.set(operation.operationId, key);
        for (const status of completeResponses(operation, method, path, authMode)) usedProblems.add(status);
      }
    }

    const problemParts = problemComponents(usedProblems);
    const security = doc.security ?? rootSecurity(authMode);
    const schemes = securitySchemes(authMode);
    return {
      ...doc,
      info: {
        ...doc.info,
        description: [doc.info?.description, ERRORS_NOTE].filter(Boolean).join('\n\n'),
      },
      servers: doc.servers ?? [{ url: '/', description: 'The origin this document was fetched from' }],
      ...(security ? { security } : {}),
      components: {
        ...doc.components,
        ...(schemes ? { securitySchemes: { ...doc.components?.securitySchemes, ...schemes } } : {}),
        schemas: { ...doc.components?.schemas, ...problemParts.schemas },
        responses: { ...doc.components?.responses, ...problemParts.responses },
      },
    } as ReturnType<SwaggerTransformObject>;
  };

/**
 * Sets an operation's security, points its error statuses (declared ones and those every route
 * can get) at the shared problem responses, and gives its success bodies their real media types.
 * Returns the problem statuses it used.
 */
function completeResponses(operation: Operation, method: string, path: string, authMode: AuthMode): string[] {
  const { security, statuses: authStatuses } = operationSecurity(authMode, method, path);
  if (security) operation.security ??= security;
  const responses = (operation.responses ??= {});
  const generic = [...genericProblemStatuses(method, path, RATE_LIMIT_EXEMPT), ...authStatuses];
  const problems = [...(operation[PROBLEM_STATUSES_KEY] ?? []), ...generic.filter((s) => !(s in responses))];
  delete operation[PROBLEM_STATUSES_KEY];
  for (const status of problems) responses[status] = problemResponseRef(status);

  const content = SUCCESS_CONTENT[`${method} ${path}`];
  for (const [status, response] of Object.entries(responses)) {
    if (content && status.startsWith('2') && response.content) {
      response.content = content(response.content['application/json']);
    }
  }
  return problems;
}

const ERRORS_NOTE =
  'Every error is an RFC 9457 `application/problem+json` body (components.schemas.ProblemDetails). ' +
  'A path that exists answers other methods with 405 and an `Allow` header (components.responses.MethodNotAllowed); ' +
  'a path that does not exist answers 404 (components.responses.NotFound).';

/** The object branch of `anyOf: [string, object]`: the JSON form of a response that is CSV or JSON. */
function objectBranch(schema: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const branches = (schema?.anyOf ?? []) as Record<string, unknown>[];
  return branches.find((branch) => branch.type === 'object');
}

/** The options for @fastify/swagger's `transform` and `transformObject`, for the API's auth mode. */
export const openApiContract = (authMode: AuthMode) => ({ transform, transformObject: transformObject(authMode) });
