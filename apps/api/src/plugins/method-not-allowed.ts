import type { FastifyInstance, HTTPMethods } from 'fastify';

/** The methods a path can have; HEAD comes with every GET (fastify adds it). */
const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The methods the router has for the path of `url` (a request's URL, query and all). Used for a
 * request that matched no route: a path that exists under other methods is a 405 with these in
 * `Allow` (RFC 9110 §15.5.6), not a 404 that would tell a client the resource is missing.
 */
export function allowedMethods(app: FastifyInstance, url: string): string[] {
  return METHODS.filter((method) => app.findRoute({ method, url }) !== null);
}
