// Projects (AUTH_MODE=tokens): a token sees only its own project's grids and experiments. Every
// operation of the OpenAPI document that takes a grid or experiment id answers another project's id
// exactly as it answers an id that does not exist, and changes nothing; lists, comparisons, result
// reuse, idempotency keys and token management stay within the project. Real Postgres, the real app.
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_SPEC } from '@resnet-lab/testing';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
const token: Record<'alpha' | 'beta', string> = { alpha: '', beta: '' };
let betaTokenId = '';
const NIL = '00000000-0000-0000-0000-000000000000';
let alphaGrid = '';
let alphaExperiment = '';

const as = (project: 'alpha' | 'beta') => ({ authorization: `Bearer ${token[project]}` });
const request = (project: 'alpha' | 'beta', method: string, url: string, payload?: object) =>
  app.inject({ method: method as 'GET', url, headers: as(project), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  app = await api.build({ authMode: 'tokens' });
  token.alpha = (await api.deps.repos.tokens.create('alice', 'admin', 'alpha')).token;
  const beta = await api.deps.repos.tokens.create('bob', 'admin', 'beta');
  token.beta = beta.token;
  betaTokenId = beta.view.id;
  const grid = await request('alpha', 'POST', '/v1/grids', { name: 'alpha grid', base: TINY_SPEC });
  expect(grid.statusCode).toBe(201);
  alphaGrid = grid.json().grid.id;
  expect(grid.json().grid.project).toBe('alpha');
  const experiment = await request('alpha', 'POST', '/v1/experiments', TINY_SPEC);
  expect(experiment.statusCode).toBe(201);
  alphaExperiment = experiment.json().id;
  expect(experiment.json().project).toBe('alpha');
});

/** Bodies the id routes accept, so that a refusal cannot come from a bad body instead. */
const PAYLOADS: Record<string, object> = { 'PATCH /v1/grids/{id}': { priority: 900 } };
/** Query parameters the id routes need (activation maps name a layer and an image). */
const QUERIES: Record<string, string> = { '/v1/experiments/{id}/activations': '?layer=stem&image=0' };

describe('projects', () => {
  it("answers another project's ids on every id route as ids that do not exist, and changes nothing", async () => {
    const doc = (await request('alpha', 'GET', '/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const failures: string[] = [];
    let checked = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      const kind = /^\/v1\/(grids|experiments)\/\{id\}/.exec(template)?.[1];
      if (!kind) continue;
      const own = kind === 'grids' ? alphaGrid : alphaExperiment;
      const url = (id: string) => template.replace('{id}', id).replace('{epoch}', '1') + (QUERIES[template] ?? '');
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const payload = PAYLOADS[`${method} ${template}`] ?? (method === 'GET' ? undefined : {});
        const foreign = await request('beta', method, url(own), payload);
        const missing = await request('beta', method, url(NIL), payload);
        checked++;
        const same =
          foreign.statusCode === missing.statusCode &&
          foreign.body.replaceAll(own, NIL).replace(/"instance":"[^"]*"/, '') ===
            missing.body.replace(/"instance":"[^"]*"/, '');
        if (foreign.statusCode !== 404 || !same) {
          failures.push(`${method} ${template}: ${foreign.statusCode} ${foreign.body.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(18);

    // Beta's cancel, pause and priority change reached nothing: alpha's grid is as it was.
    const grid = (await request('alpha', 'GET', `/v1/grids/${alphaGrid}`)).json();
    expect(grid.status).toBe('active');
    expect(grid.priority).toBe(500);
    const experiment = (await request('alpha', 'GET', `/v1/experiments/${alphaExperiment}`)).json();
    expect(experiment.cancelRequested).toBe(false);
    expect(experiment.status).toBe('queued');
  });

  it('shows each project its own grids and experiments in lists', async () => {
    const ids = async (project: 'alpha' | 'beta', url: string) =>
      (await request(project, 'GET', url)).json().items.map((i: { id: string }) => i.id);
    expect(await ids('alpha', '/v1/grids')).toContain(alphaGrid);
    expect(await ids('beta', '/v1/grids')).not.toContain(alphaGrid);
    expect(await ids('alpha', '/v1/experiments')).toContain(alphaExperiment);
    expect(await ids('beta', '/v1/experiments')).toEqual([]);
    // Another project's id as a paging cursor answers like an unknown one: an empty page.
    await request('beta', 'POST', '/v1/grids', { base: TINY_SPEC });
    expect(await ids('beta', `/v1/grids?cursor=${alphaGrid}`)).toEqual([]);
    expect(await ids('beta', `/v1/grids?cursor=${NIL}`)).toEqual([]);
    expect(await ids('beta', `/v1/experiments?cursor=${alphaExperiment}`)).toEqual([]);
  });

  it("compares only the project's own experiments", async () => {
    const own = (await request('beta', 'POST', '/v1/experiments', TINY_SPEC)).json().id as string;
    const res = await request('beta', 'GET', `/v1/compare?ids=${own},${alphaExperiment}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0]).toEqual({ field: 'querystring.ids', message: `unknown: ${alphaExperiment}` });
  });

  it("never reuses another project's results", async () => {
    const spec = { ...TINY_SPEC, training: { ...TINY_SPEC.training, seed: 4242 } };
    const first = await request('alpha', 'POST', '/v1/grids', { base: spec });
    const id = first.json().grid.id as string;
    await api.database.db.experiment.updateMany({ where: { gridId: id }, data: { status: 'succeeded' } });
    const again = await request('alpha', 'POST', '/v1/grids', { base: spec });
    expect(again.json()).toMatchObject({ created: 0, reused: 1 });
    const other = await request('beta', 'POST', '/v1/grids', { base: spec });
    expect(other.json()).toMatchObject({ created: 1, reused: 0 });
    const dryRun = await request('beta', 'POST', '/v1/grids?dryRun=true', { base: spec });
    expect(dryRun.json().reusable).toBe(0);
  });

  it('keeps Idempotency-Keys apart: the same key in two projects makes two experiments', async () => {
    const post = (project: 'alpha' | 'beta') =>
      app.inject({
        method: 'POST',
        url: '/v1/experiments',
        headers: { ...as(project), 'idempotency-key': 'shared-key' },
        payload: TINY_SPEC,
      });
    const a = await post('alpha');
    const b = await post('beta');
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.json().id).not.toBe(a.json().id);
    expect(b.json().project).toBe('beta');
    expect((await post('beta')).json().id).toBe(b.json().id);
  });

  it("lets an admin token list and revoke only its own project's tokens", async () => {
    const listed = (await request('alpha', 'GET', '/v1/tokens')).json().tokens;
    expect(listed.map((t: { project: string }) => t.project)).toEqual(['alpha']);
    expect((await request('alpha', 'DELETE', `/v1/tokens/${betaTokenId}`)).statusCode).toBe(404);
    expect((await request('beta', 'GET', '/v1/grids')).statusCode).toBe(200);
  });

  it('single-user mode (AUTH_MODE=none) sees every project', async () => {
    const open = await api.build({ authMode: 'none' });
    const grids = (await open.inject({ method: 'GET', url: '/v1/grids' })).json().items;
    expect(new Set(grids.map((g: { project: string }) => g.project))).toEqual(new Set(['alpha', 'beta']));
  });
});
