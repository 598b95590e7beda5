import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdParams, ProblemDetails } from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { AppError, notFound } from '../errors';
import type { ChangeFeed } from '../services/change-feed';
import { createStreamLimiter } from '../services/stream-limiter';
import type { EventFeeds } from './event-feeds';
import { sendEventStream } from './event-stream';

export interface EventsRoutesOptions extends AppDeps {
  /** The shared pollers the streams listen to (one read per watched resource and interval). */
  feeds: EventFeeds;
  /** Most event streams one client (by IP address) may hold open at once; more get a 429. */
  maxStreamsPerClient: number;
}

const streamSchema = z.string().describe('text/event-stream');
const responses = { 200: streamSchema, 400: ProblemDetails, 404: ProblemDetails, 429: ProblemDetails };
const capNote = (max: number) =>
  ` A client (by IP address) may hold at most ${max} streams open at once; one more is answered 429.`;

/**
 * Server-Sent Events of progress. Streams do not read Postgres themselves: they listen to one
 * shared poller per grid or experiment, which reads about once a second however many watch it,
 * and they get an event only when the state changed. A stream ends after the final state, when
 * the client goes away, or when the server closes.
 */
export const eventsRoutes: FastifyPluginAsyncZod<EventsRoutesOptions> = async (app, deps) => {
  const limiter = createStreamLimiter(deps.maxStreamsPerClient);
  const open = new Set<{ stop: () => void }>();
  app.addHook('onClose', async () => {
    for (const stream of [...open]) stream.stop();
    deps.feeds.grids.close();
    deps.feeds.experiments.close();
  });

  /** Takes one of the client's stream slots, checks the id exists, and streams its feed. */
  const watch = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    what: { event: string; feed: ChangeFeed<T>; id: string; exists: () => Promise<unknown> },
  ) => {
    const release = limiter.acquire(request.ip);
    if (!release) {
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `this client already has ${limiter.max} event streams open (the most one client may hold at once); ` +
          'close one before opening another, or poll the resource instead',
      );
    }
    try {
      // A resource somebody already watches was just read to exist: no query for its 300th watcher.
      if (!what.feed.known(what.id) && !(await what.exists())) throw notFound(what.event, what.id);
    } catch (error) {
      release();
      throw error;
    }
    const stream = { stop: () => {} };
    open.add(stream);
    stream.stop = sendEventStream(request, reply, {
      event: what.event,
      feed: what.feed,
      id: what.id,
      onStop: () => {
        release();
        open.delete(stream);
      },
    });
  };

  app.get(
    '/v1/grids/:id/events',
    {
      schema: {
        summary: "Server-Sent Events of a grid's progress",
        description:
          '`event: grid` with the grid view (as GET /v1/grids/:id) whenever it changes; ' +
          '`event: end` once nothing is queued or running, then the stream closes.' +
          capNote(deps.maxStreamsPerClient),
        tags: ['grids'],
        params: IdParams,
        produces: ['text/event-stream'],
        response: responses,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await watch(request, reply, {
        event: 'grid',
        feed: deps.feeds.grids,
        id,
        exists: () => deps.repos.grids.get(id),
      });
    },
  );

  app.get(
    '/v1/experiments/:id/events',
    {
      schema: {
        summary: "Server-Sent Events of an experiment's progress",
        description:
          '`event: experiment` with the experiment view whenever it changes; ' +
          '`event: end` after it succeeded, failed or was cancelled.' +
          capNote(deps.maxStreamsPerClient),
        tags: ['experiments'],
        params: IdParams,
        produces: ['text/event-stream'],
        response: responses,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const exists = () => deps.repos.experiments.get(id);
      await watch(request, reply, { event: 'experiment', feed: deps.feeds.experiments, id, exists });
    },
  );
};
