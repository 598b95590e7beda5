import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FINAL_EXPERIMENT_STATUSES, IdParams, ProblemDetails } from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { etagOf } from '../http-cache';
import { toExperimentView } from './experiment.view';
import { loadGridState } from './grid.view';

export interface EventsRoutesOptions extends AppDeps {
  /** How often a stream re-reads Postgres; an event is sent only when something changed. */
  sseIntervalMs: number;
}

const FINAL = new Set<string>(FINAL_EXPERIMENT_STATUSES);
const HEARTBEAT_MS = 15_000;
const streamSchema = z.string().describe('text/event-stream');

/**
 * Server-Sent Events of progress. Each stream polls Postgres about once a second (one cheap
 * indexed query, whatever the number of workers) and sends an event only when the state changed;
 * it ends after the final state, when the client goes away, or when the server closes.
 */
export const eventsRoutes: FastifyPluginAsyncZod<EventsRoutesOptions> = async (app, deps) => {
  const open = new Set<() => void>();
  app.addHook('onClose', async () => {
    for (const stop of [...open]) stop();
  });

  const stream = (
    request: FastifyRequest,
    reply: FastifyReply,
    event: string,
    read: () => Promise<{ data: unknown; version: string; final: boolean } | null>,
  ) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let last = '';
    let stopped = false;
    let busy = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(heartbeat);
      open.delete(stop);
      if (!raw.writableEnded) raw.end();
    };
    const tick = async () => {
      if (stopped || busy) return;
      busy = true;
      try {
        const state = await read();
        if (stopped) return;
        if (!state) return stop();
        if (state.version !== last) {
          last = state.version;
          raw.write(`event: ${event}\nid: ${state.version}\ndata: ${JSON.stringify(state.data)}\n\n`);
        }
        if (state.final) {
          raw.write('event: end\ndata: {}\n\n');
          stop();
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream read failed; retrying');
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), deps.sseIntervalMs);
    // A comment line keeps proxies from closing an idle stream, and surfaces a gone client.
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    open.add(stop);
    // The response's 'close' fires when the client goes away (or the stream ended): the poll stops.
    raw.on('close', stop);
    raw.on('error', stop);
    // A client that left while the route was still checking the id closed before the listener.
    if (raw.destroyed || request.raw.destroyed) {
      stop();
      return;
    }
    void tick();
  };

  app.get(
    '/v1/grids/:id/events',
    {
      schema: {
        summary: "Server-Sent Events of a grid's progress",
        description:
          '`event: grid` with the grid view (as GET /v1/grids/:id) whenever it changes; ' +
          '`event: end` once nothing is queued or running, then the stream closes.',
        tags: ['grids'],
        params: IdParams,
        produces: ['text/event-stream'],
        response: { 200: streamSchema, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      if (!(await deps.repos.grids.get(id))) throw notFound('grid', id);
      stream(request, reply, 'grid', async () => {
        const state = await loadGridState(deps.repos, id);
        return state && { data: state.view, version: state.version, final: state.view.done };
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
          '`event: end` after it succeeded, failed or was cancelled.',
        tags: ['experiments'],
        params: IdParams,
        produces: ['text/event-stream'],
        response: { 200: streamSchema, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      if (!(await deps.repos.experiments.get(id))) throw notFound('experiment', id);
      stream(request, reply, 'experiment', async () => {
        const row = await deps.repos.experiments.get(id);
        return (
          row && {
            data: toExperimentView(row),
            version: etagOf(row.id, row.updatedAt.getTime()),
            final: FINAL.has(row.status),
          }
        );
      });
    },
  );
};
