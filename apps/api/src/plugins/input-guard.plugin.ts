import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { AppError, type FieldError } from '../errors';
import { sendProblem } from './problem-details.plugin';

/**
 * What the schemas cannot say, checked before they run: bodies nested deeper than any the API
 * defines (a recursive walk over 4,000 levels overflows the stack), and strings that Postgres
 * cannot store (NUL) or that are not well-formed Unicode (lone surrogates), in the body, the
 * query and the path. Each is a 400 naming the field, where it used to be a 500 from the insert.
 */

/** A grid body is about six levels deep; thirty-two leaves room and stays far from the stack's limit. */
export const MAX_JSON_DEPTH = 32;

/** Whether JSON text opens more than `max` nested objects or arrays; one pass, no recursion. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it has a lone surrogate)';
  return null;
}

/**
 * The first bad string among the keys and values of `value`, with its dotted path under `root`
 * ("" for the body, "querystring", "params"). Iterative, so any depth is safe.
 */
export function findBadString(value: unknown, root: string): FieldError | null {
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      const problem = stringProblem(node);
      if (problem) return { field: path || '(body)', message: problem };
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const problem = key === '__proto__' ? 'is not an allowed key' : stringProblem(key);
        if (problem) return { field: join(path, key), message: `key ${problem}` };
        stack.push([child, join(path, key)]);
      }
    }
  }
  return null;
}

const invalid = (error: FieldError) => new AppError('VALIDATION', `${error.field}: ${error.message}`, [error]);

/** Fastify's router errors (a URL that is not UTF-8, a path parameter too long) as problems too. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, request, reply) => {
  const code = error.statusCode ?? 400;
  const status = code >= 400 && code < 500 ? code : 400;
  // The router refused the URL itself (bad percent-encoding, too long): the URL is the field at fault.
  void sendProblem(request, reply, status, error.message, [{ field: '(url)', message: error.message }]);
};

export function registerInputGuard(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      return done(invalid({ field: '(body)', message: 'is empty: send JSON, or no content-type' }));
    }
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      return done(invalid({ field: '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }));
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return done(invalid({ field: '(body)', message: `is not valid JSON: ${(error as Error).message}` }));
    }
    const bad = findBadString(value, '');
    if (bad) return done(invalid(bad));
    done(null, value);
  });

  app.addHook('preValidation', async (request) => {
    const bad = findBadString(request.params, 'params') ?? findBadString(request.query, 'querystring');
    if (bad) throw invalid(bad);
  });
}
