// A page on another site must not be able to act on the API through a researcher's browser (a
// bodyless POST needs no preflight); listed origins get CORS answers; the dashboard (same origin)
// and non-browser clients (no Origin) are unaffected.
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_SPEC } from '@resnet-lab/testing';
import type { App } from '../src/app';
import { loadApiEnv } from '../src/env';
import { useTestApi } from './support/test-app';

const LISTED = 'https://lab.example.org';
const EVIL = 'https://evil.example.com';
const api = useTestApi();
let app: App;
let gridId: string;

beforeAll(async () => {
  app = await api.build({ corsOrigins: [LISTED] });
  const created = await app.inject({ method: 'POST', url: '/v1/grids', payload: { base: TINY_SPEC } });
  expect(created.statusCode).toBe(201);
  gridId = created.json().grid.id;
});

const cancel = (headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: `/v1/grids/${gridId}/cancel`, headers: { host: 'api.local:3000', ...headers } });

describe('cross-origin requests', () => {
  it('refuses a state-changing request from an origin not listed, with 403 naming the Origin header', async () => {
    const refused = await cancel({ origin: EVIL });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json().errors).toEqual([{ field: 'headers.origin', message: `${EVIL} is not an allowed origin` }]);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect((await cancel({ origin: 'null' })).statusCode).toBe(403);
    // Nothing happened to the grid.
    const grid = await app.inject({ method: 'GET', url: `/v1/grids/${gridId}` });
    expect(grid.json().status).toBe('active');
  });

  it('lets a page read without CORS headers (so the browser hides the answer from it)', async () => {
    const read = await app.inject({ method: 'GET', url: '/v1/grids', headers: { origin: EVIL } });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a listed origin with CORS headers and its preflight with 204', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: `/v1/grids/${gridId}/cancel`,
      headers: { origin: LISTED, 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(LISTED);
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
    const read = await app.inject({ method: 'GET', url: '/v1/grids', headers: { origin: LISTED } });
    expect(read.headers['access-control-allow-origin']).toBe(LISTED);
    expect(read.headers.vary).toMatch(/Origin/);
  });

  it('accepts the same origin (the dashboard), a listed one and clients that send no Origin', async () => {
    expect((await cancel({ origin: 'http://api.local:3000' })).statusCode).toBe(200);
    expect((await cancel({ origin: LISTED })).statusCode).toBe(200);
    expect((await cancel({})).statusCode).toBe(200);
  });

  it('reads CORS_ORIGINS as a comma-separated list of URLs, naming it when one is not', () => {
    const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/x' };
    expect(loadApiEnv({ ...base, CORS_ORIGINS: `${LISTED}, http://localhost:5173` }).CORS_ORIGINS).toEqual([
      LISTED,
      'http://localhost:5173',
    ]);
    expect(loadApiEnv(base).CORS_ORIGINS).toEqual([]);
    expect(() => loadApiEnv({ ...base, CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
  });
});
