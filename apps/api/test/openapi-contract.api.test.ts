// The OpenAPI document is the API's contract for outside clients: it must lint clean, and what
// the API really sends (successes and errors, across the routes) must be what it says.
import { PassThrough } from 'node:stream';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import type { InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app';
import { openApiConformance, type ObservedResponse } from './support/openapi-conformance';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
let tokensApp: App;
let doc: any;
let tokensDoc: any;
let conformance: ReturnType<typeof openApiConformance>;
const EXPERIMENT = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32, seed: 0 },
};
const GRID = { name: 'contract', base: EXPERIMENT, axes: { 'training.seed': [0, 1] } };
const MISSING = '6f1c3e0a-8f1e-4a56-9a7c-2d7f0c6f4b11';

beforeAll(async () => {
  app = await api.build();
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  conformance = openApiConformance(doc);
  tokensApp = await api.build({ authMode: 'tokens' });
  tokensDoc = (await tokensApp.inject({ method: 'GET', url: '/openapi.json' })).json();
});

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
  );

/** Redocly's findings on a document, but for the one expected warning. */
async function lint(document: unknown): Promise<string[]> {
  // info-license: a private project with no licence to name.
  const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } });
  const results = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
  const found = results.map((r) => `${r.severity} ${r.ruleId} ${r.location[0]?.pointer ?? ''}: ${r.message}`);
  // The 405 response belongs to no operation (it answers a method that a path does not have), so
  // nothing references it; it is documented for clients all the same.
  const expected = (line: string) =>
    line.startsWith('warn no-unused-components #/components/responses/MethodNotAllowed');
  return found.filter((line) => !expected(line));
}

describe('the OpenAPI document', () => {
  it("has no problems by Redocly's recommended rules (offline, built in), in either auth mode", async () => {
    expect(await lint(doc)).toEqual([]);
    expect(await lint(tokensDoc)).toEqual([]);
  });

  it('gives every operation a unique operationId, and the document servers', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/experiments/{id}/metrics'].get.operationId).toBe('getExperimentsByIdMetrics');
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('declares no security scheme in single-user mode, and bearer tokens with their scopes in tokens mode', () => {
    // Nothing checks credentials: the document says so rather than naming a scheme nobody enforces.
    expect(doc.security).toEqual([]);
    expect(doc.components.securitySchemes).toBeUndefined();
    expect(doc.paths['/v1/grids'].get.responses['401']).toBeUndefined();

    expect(tokensDoc.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const op = (method: string, path: string) => tokensDoc.paths[path][method];
    expect(op('get', '/v1/grids').security).toEqual([{ bearerToken: ['read'] }]);
    expect(op('post', '/v1/grids').security).toEqual([{ bearerToken: ['submit'] }]);
    expect(op('delete', '/v1/tokens/{id}').security).toEqual([{ bearerToken: ['admin'] }]);
    expect(op('get', '/healthz').security).toEqual([]);
    expect(Object.keys(op('get', '/v1/grids').responses)).toEqual(expect.arrayContaining(['401', '403']));
    expect(op('get', '/healthz').responses['401']).toBeUndefined();
    expect(tokensDoc.components.responses.Unauthorized.headers['WWW-Authenticate'].required).toBe(true);
  });

  it('documents every error as problem+json, and success bodies with their real media types', () => {
    for (const { key, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (Number(status) < 400) continue;
        const resolved = response.$ref
          ? doc.components.responses[response.$ref.split('/').pop()]
          : (response as { content?: object });
        // /readyz answers 503 with its health checks, not a problem.
        if (key === 'GET /readyz' && status === '503') continue;
        expect(Object.keys(resolved.content ?? {}), `${key} ${status}`).toEqual(['application/problem+json']);
      }
    }
    const content = (key: string, status = '200') => {
      const [method, path] = key.split(' ') as [string, string];
      return Object.keys(doc.paths[path][method.toLowerCase()].responses[status].content);
    };
    expect(content('GET /v1/grids/{id}/events')).toEqual(['text/event-stream']);
    expect(content('GET /v1/experiments/{id}/events')).toEqual(['text/event-stream']);
    expect(content('GET /v1/grids/{id}/export')).toEqual(['text/csv', 'application/json']);
    expect(content('GET /v1/experiments/{id}/checkpoints/{epoch}')).toEqual(['application/octet-stream']);
    expect(content('POST /v1/experiments', '201')).toEqual(['application/json']);
  });

  it('lists the errors every route can get from the shared plugins where they apply', () => {
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses('post', '/v1/experiments')).toEqual(
      expect.arrayContaining(['400', '403', '408', '413', '415', '429', '500']),
    );
    expect(statuses('post', '/v1/experiments')).not.toContain('414');
    expect(statuses('get', '/v1/experiments/{id}')).toEqual(expect.arrayContaining(['400', '414', '429', '500']));
    expect(statuses('get', '/v1/experiments/{id}')).not.toContain('413');
    // Health probes are exempt from the rate limit.
    expect(statuses('get', '/healthz')).not.toContain('429');
    expect(doc.components.responses.MethodNotAllowed.headers.Allow.required).toBe(true);
    expect(doc.components.responses.TooManyRequests.headers['Retry-After']).toBeDefined();
  });
});

/** Sends one request and collects what the document says is wrong with its answer. */
async function check(target: App, options: InjectOptions & { method: string; url: string }, failures: string[]) {
  const res = await target.inject(options);
  failures.push(...conformance.problems(options.method, options.url, res));
  return res;
}

describe('real responses match the document', () => {
  it('for successes and errors across the routes', async () => {
    const failures: string[] = [];
    const c = (options: InjectOptions & { method: string; url: string }) => check(app, options, failures);

    await c({ method: 'GET', url: '/healthz' });
    await c({ method: 'HEAD', url: '/healthz' });
    await c({ method: 'GET', url: '/readyz' });
    const experiment = (await c({ method: 'POST', url: '/v1/experiments', payload: EXPERIMENT })).json();
    const id = experiment.id as string;
    await c({ method: 'GET', url: '/v1/experiments?limit=5' });
    const one = await c({ method: 'GET', url: `/v1/experiments/${id}` });
    await c({ method: 'GET', url: `/v1/experiments/${id}`, headers: { 'if-none-match': String(one.headers.etag) } });
    await c({ method: 'GET', url: `/v1/experiments/${id}/metrics` });
    await c({ method: 'GET', url: `/v1/experiments/${id}/model` });
    await c({ method: 'GET', url: `/v1/experiments/${id}/checkpoints` });
    await c({ method: 'GET', url: `/v1/experiments/${id}/checkpoints/1` });
    await c({ method: 'GET', url: `/v1/experiments/${id}/model/model.json` });
    await c({ method: 'GET', url: `/v1/experiments/${id}/activations/layers` });
    await c({ method: 'GET', url: '/v1/architectures' });
    await c({ method: 'POST', url: '/v1/architectures/describe', payload: EXPERIMENT.architecture });
    await c({ method: 'GET', url: '/v1/presets' });
    await c({ method: 'POST', url: '/v1/grids?dryRun=true', payload: GRID });
    const grid = (await c({ method: 'POST', url: '/v1/grids', payload: GRID })).json().grid;
    await c({ method: 'GET', url: '/v1/grids' });
    await c({ method: 'GET', url: `/v1/grids/${grid.id}` });
    await c({ method: 'GET', url: `/v1/grids/${grid.id}/experiments` });
    await c({ method: 'GET', url: `/v1/grids/${grid.id}/summary` });
    await c({ method: 'GET', url: `/v1/grids/${grid.id}/curves?metric=train.loss` });
    const csv = await c({ method: 'GET', url: `/v1/grids/${grid.id}/export?format=csv` });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    await c({ method: 'GET', url: `/v1/grids/${grid.id}/export?format=json` });
    await c({ method: 'POST', url: `/v1/grids/${grid.id}/pause` });
    await c({ method: 'POST', url: `/v1/grids/${grid.id}/resume` });
    await c({ method: 'POST', url: `/v1/grids/${grid.id}/cancel` });
    await c({ method: 'POST', url: `/v1/grids/${grid.id}/pause` }); // a cancelled grid: 409
    await c({ method: 'GET', url: `/v1/compare?ids=${id},${MISSING}` });
    await c({ method: 'GET', url: '/v1/workers' });
    await c({ method: 'POST', url: `/v1/experiments/${id}/cancel` });

    // Errors: validation, missing, unknown path, wrong method, body and URL limits, origin.
    await c({ method: 'GET', url: '/v1/experiments/not-a-uuid' });
    await c({ method: 'GET', url: `/v1/experiments/${MISSING}` });
    await c({ method: 'GET', url: '/v1/experiments?nope=1' });
    await c({ method: 'GET', url: '/v1/nothing-here' });
    await c({ method: 'DELETE', url: '/v1/experiments' });
    await c({ method: 'PUT', url: `/v1/grids/${grid.id}` });
    await c({ method: 'OPTIONS', url: '/v1/grids' });
    await c({ method: 'POST', url: '/healthz' });
    await c({
      method: 'POST',
      url: '/v1/experiments',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    await c({
      method: 'POST',
      url: '/v1/experiments',
      headers: { 'content-type': 'application/json' },
      payload: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}`,
    });
    await c({ method: 'POST', url: '/v1/experiments', headers: { 'content-type': 'application/json' }, payload: '{' });
    await c({ method: 'GET', url: `/v1/experiments/${'a'.repeat(200)}` });
    await c({ method: 'POST', url: '/v1/experiments', headers: { origin: 'https://elsewhere.example' }, payload: {} });
    const key = { 'idempotency-key': 'contract-1' };
    await c({ method: 'POST', url: '/v1/experiments', headers: key, payload: EXPERIMENT });
    await c({ method: 'POST', url: '/v1/experiments', headers: key, payload: { ...EXPERIMENT, name: 'other' } });

    expect(failures).toEqual([]);
  });

  it('for the statuses that need another configuration: 429 and 408', async () => {
    const failures: string[] = [];
    const limited = await buildApp(api.deps, {
      logger: false,
      rateLimit: { max: 1, windowMs: 60_000 },
      requestTimeoutMs: 300,
    });
    try {
      await check(limited, { method: 'GET', url: '/v1/grids' }, failures);
      const over = await check(limited, { method: 'GET', url: '/v1/grids' }, failures);
      expect(over.statusCode).toBe(429);
      // A body that never finishes arriving (from another client, past the limit's budget).
      const never = new PassThrough();
      const slow = await check(
        limited,
        {
          method: 'POST',
          url: '/v1/grids',
          remoteAddress: '10.9.9.9',
          headers: { 'content-type': 'application/json', 'content-length': '100' },
          payload: never,
        },
        failures,
      );
      never.destroy();
      expect(slow.statusCode).toBe(408);
    } finally {
      await limited.close();
    }
    expect(failures).toEqual([]);
  });

  it('for event streams: text/event-stream for 200, problem+json for the errors', async () => {
    const failures: string[] = [];
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const id = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: EXPERIMENT })).json().id;
    await app.inject({ method: 'POST', url: `/v1/experiments/${id}/cancel` });
    const read = async (url: string) => {
      // A cancelled experiment's stream sends its final state and `end`, then closes.
      const res = await fetch(`${base}${url}`, { signal: AbortSignal.timeout(15_000) });
      const observed: ObservedResponse = {
        statusCode: res.status,
        headers: { 'content-type': res.headers.get('content-type') ?? undefined },
        body: await res.text(),
      };
      failures.push(...conformance.problems('GET', url, observed));
      return observed;
    };
    expect((await read(`/v1/experiments/${id}/events`)).body).toContain('event: end');
    expect((await read(`/v1/experiments/${MISSING}/events`)).statusCode).toBe(404);
    expect((await read('/v1/grids/not-a-uuid/events')).statusCode).toBe(400);
    expect(failures).toEqual([]);
  });
  it('with bearer tokens: 401 without one, 403 below the scope, the answer with one', async () => {
    const failures: string[] = [];
    const tokens = openApiConformance(tokensDoc);
    const read = `Bearer ${(await api.deps.repos.tokens.create('contract', 'read')).token}`;
    const c = async (options: InjectOptions & { method: string; url: string }, status: number) => {
      const res = await tokensApp.inject(options);
      expect(res.statusCode, `${options.method} ${options.url}`).toBe(status);
      failures.push(...tokens.problems(options.method, options.url, res));
    };
    await c({ method: 'GET', url: '/v1/grids' }, 401);
    await c({ method: 'GET', url: '/v1/grids', headers: { authorization: 'Bearer rlt_unknown' } }, 401);
    await c({ method: 'GET', url: '/v1/grids', headers: { authorization: read } }, 200);
    await c({ method: 'POST', url: '/v1/grids', headers: { authorization: read }, payload: GRID }, 403);
    await c({ method: 'GET', url: '/v1/tokens', headers: { authorization: read } }, 403);
    await c({ method: 'GET', url: '/healthz' }, 200);
    expect(failures).toEqual([]);
  });
});

describe('405 Method Not Allowed', () => {
  it('answers a path that exists under other methods with 405 and Allow; unknown paths stay 404', async () => {
    const wrong = await app.inject({ method: 'DELETE', url: '/v1/experiments?x=1' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(String(wrong.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(wrong.json()).toMatchObject({ status: 405, title: 'Method Not Allowed' });
    const trailing = await app.inject({ method: 'PATCH', url: `/v1/experiments/${MISSING}/` });
    expect(trailing.statusCode).toBe(405);
    expect(trailing.headers.allow).toBe('GET, HEAD');
    expect((await app.inject({ method: 'DELETE', url: '/v1/nothing' })).statusCode).toBe(404);
    // A route's own "not found" (a missing dashboard asset) is still a 404, not a 405.
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });
});
