import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A weak validator of whatever identifies a representation's version. */
export function etagOf(...parts: unknown[]): string {
  return `W/"${createHash('sha1').update(JSON.stringify(parts)).digest('base64url').slice(0, 27)}"`;
}

/**
 * Sets the ETag and tells whether the client already holds this version (If-None-Match), in
 * which case the route answers 304 without building or serialising the body. `no-cache` makes
 * clients and proxies revalidate every poll instead of serving a stale copy.
 */
export function isNotModified(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag);
  reply.header('cache-control', 'no-cache');
  const header = request.headers['if-none-match'];
  if (!header) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return header === '*' || header.split(',').some((tag) => weak(tag) === weak(etag));
}
