import { totalmem } from 'node:os';
import Fastify, { type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '@resnet-lab/logger';
import { DEFAULT_DATASET_ACCESS, type DatasetAccess } from '@resnet-lab/spec';
import type { AppDeps } from './deps';
import { openApiContract } from './openapi/contract';
import { registerBodyDeadline } from './plugins/body-deadline.plugin';
import { frameworkErrors, registerInputGuard } from './plugins/input-guard.plugin';
import { registerOriginGuard } from './plugins/origin-guard.plugin';
import { registerRateLimit, type RateLimitOptions } from './plugins/rate-limit.plugin';
import { registerProjectScope } from './plugins/project-scope.plugin';
import { registerAuth } from './plugins/auth.plugin';
import type { AuthMode } from './auth/auth-mode';
import { sessionRoutes } from './routes/session.routes';
import { tokensRoutes } from './routes/tokens.routes';
import { registerProblemDetails } from './plugins/problem-details.plugin';
import { DEFAULT_WEB_ROOT, webPlugin } from './plugins/web.plugin';
import { activationsRoutes } from './routes/activations.routes';
import { architecturesRoutes } from './routes/architectures.routes';
import { checkpointsRoutes } from './routes/checkpoints.routes';
import { compareRoutes, ensembleRoutes } from './routes/compare.routes';
import { createEventFeeds } from './routes/event-feeds';
import { eventsRoutes } from './routes/events.routes';
import { gridResultsRoutes } from './routes/grid-results.routes';
import { gridsRoutes } from './routes/grids.routes';
import { experimentsRoutes } from './routes/experiments.routes';
import { workersRoutes } from './routes/workers.routes';
import { createDatasetGuard } from './services/dataset-guard';
import { createMemoryGuard } from './services/memory-guard';
import { combineGuards } from './services/submit-guards';
import { healthRoutes } from './routes/health.routes';

/**
 * Builds the whole HTTP application without listening, so tests drive it with `app.inject()`
 * against the same routes, schemas and error handling that server.ts serves.
 */
export interface AppOptions {
  logger: Logger | false;
  bodyLimit?: number;
  /** Most distinct experiments one grid may hold. */
  gridMaxExperiments?: number;
  /** Poll period of Server-Sent Event streams (one shared poller per watched grid or experiment). */
  sseIntervalMs?: number;
  /** Most event streams one client (by IP address) may hold open at once; more get a 429. */
  maxStreamsPerClient?: number;
  /** A worker's memory (WORKER_MEMORY_MB): specs whose training cannot fit it are refused. */
  workerMemoryBytes?: number;
  /** DATASET_ROOTS and DATASET_MAX_FILE_MB: dataset dirs outside the roots are refused at submit. */
  datasetAccess?: DatasetAccess;
  /** The built dashboard (apps/web/build); served at / when present, a clear message when not. */
  webRoot?: string;
  /** Web origins besides the API's own that may call it from a browser (CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** `tokens`: bearer tokens on every /v1 route; `none` (the default here): single-user. */
  authMode?: AuthMode;
  /** Requests per client and window (RATE_LIMIT_MAX); absent or max 0: no limit. */
  rateLimit?: RateLimitOptions;
  /** For a request's headers, and again for its body; one slower than that gets a 408. */
  requestTimeoutMs?: number;
}

/**
 * Connection limits, so slow or idle clients cannot hold sockets (and file descriptors) forever.
 * A socket with no traffic for two minutes is closed: event streams send a comment every 15 s,
 * so a watched stream never idles that long.
 */
const REQUEST_TIMEOUT_MS = 30_000;
const IDLE_SOCKET_TIMEOUT_MS = 120_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** How often Node checks requests against their timeout (its default, 30 s, would let them run long). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export async function buildApp(deps: AppDeps, options: AppOptions) {
  const app = Fastify({
    loggerInstance: options.logger === false ? undefined : (options.logger as FastifyServerOptions['loggerInstance']),
    logger: options.logger === false ? false : undefined,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    connectionTimeout: IDLE_SOCKET_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: { connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    // Ids, epochs and limits arrive as strings in URLs; zod coerces where a schema says so.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemDetails(app);
  registerInputGuard(app);
  registerBodyDeadline(app, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
  registerOriginGuard(app, options.corsOrigins ?? []);
  await registerRateLimit(app, options.rateLimit ?? { max: 0, windowMs: 60_000 });
  registerProjectScope(app, {
    grid: (id) => deps.repos.grids.projectOf(id),
    experiment: (id) => deps.repos.experiments.projectOf(id),
  });
  // After the rate limit, so guessing tokens is limited too.
  registerAuth(app, { mode: options.authMode ?? 'none', verify: (token) => deps.repos.tokens.verify(token) });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'resnet-lab',
        version: '0.1.0',
        description: 'Submit, run and compare CNN architecture experiments.',
      },
    },
    // Real media types, shared problem responses, operationIds, servers, security: openapi/contract.ts.
    ...openApiContract(options.authMode ?? 'none'),
  });

  await app.register(healthRoutes, deps);
  const datasetAccess = options.datasetAccess ?? DEFAULT_DATASET_ACCESS;
  // One guard for the routes' submit check: dataset roots first (cheap), then memory.
  const submitGuard = combineGuards(
    createDatasetGuard(datasetAccess.roots),
    createMemoryGuard(options.workerMemoryBytes ?? totalmem()),
  );
  await app.register(experimentsRoutes, { ...deps, submitGuard, datasetAccess });
  await app.register(checkpointsRoutes, deps);
  await app.register(activationsRoutes, { ...deps, datasetAccess });
  await app.register(architecturesRoutes);
  await app.register(gridsRoutes, {
    ...deps,
    gridMaxExperiments: options.gridMaxExperiments ?? 20_000,
    submitGuard,
    datasetAccess,
  });
  await app.register(gridResultsRoutes, deps);
  await app.register(compareRoutes, deps);
  await app.register(ensembleRoutes, deps);
  await app.register(workersRoutes, deps);
  await app.register(tokensRoutes, deps);
  await app.register(sessionRoutes);
  const eventFeeds = createEventFeeds(deps.repos, {
    intervalMs: options.sseIntervalMs ?? 1_000,
    onError: (error, id) => app.log.warn({ err: error, id }, 'event feed read failed; retrying'),
  });
  // Exposed so that tests (and a future metrics endpoint) can see how many pollers run.
  app.decorate('eventFeeds', eventFeeds);
  await app.register(eventsRoutes, {
    ...deps,
    feeds: eventFeeds,
    maxStreamsPerClient: options.maxStreamsPerClient ?? 20,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(webPlugin, { root: options.webRoot ?? DEFAULT_WEB_ROOT });

  await app.ready();
  return app as typeof app & { eventFeeds: typeof eventFeeds };
}

export type App = Awaited<ReturnType<typeof buildApp>>;
