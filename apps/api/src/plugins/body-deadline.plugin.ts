import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/**
 * A deadline on receiving a request's body. Node's own `requestTimeout` stops counting once the
 * headers are in, so a client trickling one byte a second would hold its socket (and a file
 * descriptor) for as long as it liked; here the body must have arrived within `timeoutMs` of the
 * headers, or the request is answered 408 and its connection closed.
 */
export function registerBodyDeadline(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    const hasBody =
      request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return payload;
    const guarded = new PassThrough();
    // What fastify's body reader checks against Content-Length; a PassThrough does not carry it.
    Object.defineProperty(guarded, 'receivedEncodedLength', {
      get: () => (payload as { receivedEncodedLength?: number }).receivedEncodedLength,
    });
    const timer = setTimeout(() => {
      payload.unpipe(guarded);
      reply.header('connection', 'close');
      const error = new Error(`the request body did not arrive within ${timeoutMs} ms`) as Error & {
        statusCode: number;
      };
      error.statusCode = 408;
      guarded.destroy(error);
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    payload.once('end', clear);
    payload.once('close', clear);
    payload.once('error', (error) => {
      clear();
      guarded.destroy(error);
    });
    payload.pipe(guarded);
    return guarded;
  });
}
