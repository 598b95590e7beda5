// Hostile input, generated: every route of the API's own OpenAPI document gets valid requests with
// one part replaced by something the schema may let through but storage or a recursive walk may
// not (NUL and lone surrogates in strings, integers past int4, deep nesting, huge numbers). The
// API must answer each with a 4xx problem naming the field, or succeed: never a 5xx.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
let experimentId: string;
let gridId: string;
const RUNS = 1_000;
const EXPERIMENT = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32, seed: 0 },
};
const GRID = {
  name: 'hostile',
  base: EXPERIMENT,
  axes: { 'training.seed': [0, 1], 'architecture.depth': [8, 14] },
  exclude: [{ 'training.seed': 1, 'architecture.depth': 14 }],
};
/** Valid bodies to start from, by route. */
const BODIES: Record<string, unknown> = {
  'POST /v1/experiments': EXPERIMENT,
  'POST /v1/grids': GRID,
  'POST /v1/architectures/describe': EXPERIMENT.architecture,
  'POST /v1/compare': { ids: [] },
};
/** JSON nested `levels` deep, as text: JSON.stringify itself overflows the stack on such a value. */
const deepJson = (levels: number) => '{"a":['.repeat(levels / 2) + '1' + ']}'.repeat(levels / 2);
const DEEP = '__deep_json__';
const HOSTILE_VALUES: unknown[] = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53,
  1e308,
  -0.5,
  '',
  'A'.repeat(5_000),
  true,
  null,
  {},
  [],
  DEEP,
  JSON.parse(deepJson(60)) as unknown,
];
/** Query and path values, as they appear in a URL (already encoded). */
const HOSTILE_URL_VALUES = [
  '%00',
  'a%00b',
  '%ED%A0%80',
  '2147483648',
  '2147483647',
  '-2147483649',
  '99999999999999999999999',
  '1e308',
  '-1',
  '0',
  'NaN',
  '',
  'x'.repeat(3_000),
  '00000000-0000-0000-0000-000000000000',
];
type Operation = { method: string; path: string; query: string[]; key: string };
function operations(doc: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> }) {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    // Event streams stay open while their subject can change; they are exercised elsewhere.
    if (path.endsWith('/events')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      ops.push({ method: method.toUpperCase(), path, query, key: `${method.toUpperCase()} ${path}` });
    }
  }
  return ops;
}
/** Every path to a value inside `value` ("" is the whole body). */
function paths(value: unknown, prefix: string[] = []): string[][] {
  const out = [prefix];
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}
function replaced(body: unknown, at: string[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<string, unknown>;
  copy[at[0]!] = replaced(copy[at[0]!], at.slice(1), value);
  return copy;
}

beforeAll(async () => {
  app = await api.build({ gridMaxExperiments: 50 });
  experimentId = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: EXPERIMENT })).json().id;
  gridId = (await app.inject({ method: 'POST', url: '/v1/grids', payload: GRID })).json().grid.id;
});

describe('hostile input on every route', () => {
  it('never answers 5xx, every 4xx is problem+json, and every 400 names the field at fault', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(20);
    const failures: string[] = [];

    for (const op of ops) {
      const base = BODIES[op.key];
      const bodyPaths = base === undefined ? [] : paths(base);
      const request = fc.record({
        pathValue: fc.oneof(fc.constantFrom('valid', 'valid'), fc.constantFrom(...HOSTILE_URL_VALUES)),
        queryName: op.query.length ? fc.constantFrom(...op.query) : fc.constant(null),
        queryValue: fc.constantFrom(...HOSTILE_URL_VALUES),
        bodyPath: bodyPaths.length ? fc.constantFrom(...bodyPaths) : fc.constant(null),
        // An index: fast-check would print a 5,000-deep value recursively.
        bodyValue: fc.integer({ min: 0, max: HOSTILE_VALUES.length - 1 }),
        dryRun: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
            if (r.pathValue !== 'valid') return r.pathValue;
            if (name === 'epoch') return '1';
            return op.path.startsWith('/v1/grids') ? gridId : experimentId;
          });
          const query: string[] = [];
          if (r.queryName) query.push(`${r.queryName}=${r.queryValue}`);
          if (op.key === 'POST /v1/grids' && r.dryRun) query.push('dryRun=true');
          if (query.length) url += `?${query.join('&')}`;
          const payload =
            base !== undefined && r.bodyPath
              ? JSON.stringify(replaced(base, r.bodyPath, HOSTILE_VALUES[r.bodyValue])).replace(
                  `"${DEEP}"`,
                  deepJson(5_000),
                )
              : undefined;
          const res = await app.inject({
            method: op.method as 'GET',
            url,
            ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
          });
          const problem = res.statusCode >= 400 && !String(res.headers['content-type']).includes('problem+json');
          // A 400 is about the request's own content: it must say which field is at fault.
          const unnamed =
            res.statusCode === 400 && !(res.json<{ errors?: { field?: string }[] }>().errors?.[0]?.field ?? '');
          if (res.statusCode >= 500 || problem || unnamed) {
            failures.push(`${op.method} ${url.slice(0, 120)} ${payload?.slice(0, 160) ?? ''} -> ${res.statusCode}`);
          }
        }),
        { numRuns: RUNS, seed: 42 },
      );
    }
    expect([...new Set(failures)].slice(0, 20)).toEqual([]);
  }, 900_000);

  it('names the field at fault for each kind', async () => {
    const post = (url: string, payload: string) =>
      app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
    const cases = [
      [await post('/v1/grids', JSON.stringify({ ...GRID, name: 'a\u0000b' })), 'name', /NUL/],
      [
        await post('/v1/experiments', JSON.stringify({ ...EXPERIMENT, dataset: { name: 'x\uD800' } })),
        'dataset.name',
        /surrogate/,
      ],
      [await post('/v1/grids', `{"base":${deepJson(4_000)}}`), '(body)', /deeper than 32/],
      [
        await app.inject({ method: 'GET', url: `/v1/experiments/${experimentId}/metrics?split=a%00` }),
        'querystring.split',
        /NUL/,
      ],
      [
        await app.inject({ method: 'GET', url: `/v1/grids/${gridId}/experiments?after=2147483648` }),
        'querystring.after',
        /2147483647/,
      ],
    ] as const;
    for (const [res, field, message] of cases) {
      expect(res.statusCode, field).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].field).toBe(field);
      expect(res.json().errors[0].message).toMatch(message);
    }
    const badUrl = await app.inject({ method: 'GET', url: '/v1/experiments/%ED%A0%80' });
    expect([badUrl.statusCode, badUrl.headers['content-type']]).toEqual([
      400,
      'application/problem+json; charset=utf-8',
    ]);
  });
});
