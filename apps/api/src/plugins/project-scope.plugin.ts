import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_PROJECT } from '@resnet-lab/spec';
import { notFound } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The project the request's token belongs to; null in the single-user mode (AUTH_MODE=none),
     * which sees every project and submits to DEFAULT_PROJECT. Set by the auth plugin.
     */
    project: string | null;
  }
}

/** Where what a request creates goes: its token's project, or DEFAULT_PROJECT in single-user mode. */
export const submitProject = (request: FastifyRequest): string => request.project ?? DEFAULT_PROJECT;

/** The project that owns a grid or an experiment; null when there is none with that id. */
export interface ProjectLookup {
  grid: (id: string) => Promise<string | null>;
  experiment: (id: string) => Promise<string | null>;
}

/** Routes whose `:id` names a grid or an experiment: every route under these owns its resource. */
const OWNED_PREFIXES = [
  { prefix: '/v1/grids/:id', kind: 'grid' },
  { prefix: '/v1/experiments/:id', kind: 'experiment' },
] as const;

/** An id's project never changes, so lookups are remembered (bounded: oldest forgotten first). */
const CACHE_LIMIT = 10_000;

/**
 * Keeps each project to its own grids and experiments: a request for another project's id gets
 * the same 404 as an id that does not exist (both answered here, before the handler), so these
 * routes cannot confirm another project's ids. (GET /v1/workers does list every running job's
 * ids: the workers are shared; see docs/decisions.md, Projects.)
 * One check for every `:id` route (metrics, checkpoints, events, activations, cancel...) rather
 * than one per handler, so a new route under these paths is covered without remembering to.
 * Lists and comparisons filter by `request.project` themselves.
 */
export function registerProjectScope(app: FastifyInstance, lookup: ProjectLookup): void {
  app.decorateRequest('project', null);
  const cache = new Map<string, string>();
  const projectOf = async (kind: 'grid' | 'experiment', id: string): Promise<string | null> => {
    const key = `${kind}/${id}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const project = await lookup[kind](id);
    if (project === null) return null; // may be created later: not remembered
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, project);
    return project;
  };
  // preHandler: after validation, so `id` is a well-formed UUID (a malformed one is already a 400).
  app.addHook('preHandler', async (request) => {
    if (request.project === null) return;
    const url = request.routeOptions.url ?? '';
    const owned = OWNED_PREFIXES.find((o) => url === o.prefix || url.startsWith(`${o.prefix}/`));
    if (!owned) return;
    const id = (request.params as { id?: string }).id;
    if (!id) return;
    // One answer for "no such id" and "another project's id", whatever the route would have said.
    if ((await projectOf(owned.kind, id)) !== request.project) throw notFound(owned.kind, id);
  });
}
