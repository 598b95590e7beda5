// One client's request loop must not take the API from everyone: past its budget it gets 429s
// (problem+json, with Retry-After), while health probes keep answering.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const MAX = 5;
const api = useTestApi();
let app: App;

beforeAll(async () => {
  app = await api.build({ rateLimit: { max: MAX, windowMs: 60_000 } });
});

const get = (url: string, ip: string) => app.inject({ method: 'GET', url, remoteAddress: ip });

describe('rate limit', () => {
  it('answers 429 problem+json with Retry-After past the budget, per client, never to health probes', async () => {
    for (let i = 0; i < MAX; i++) expect((await get('/v1/grids', '10.0.0.1')).statusCode).toBe(200);
    const over = await get('/v1/grids', '10.0.0.1');
    expect(over.statusCode).toBe(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json()).toMatchObject({ status: 429, detail: expect.stringMatching(/at most 5 per 60 s/) });
    // Another client still has its own budget; probes are not counted.
    expect((await get('/v1/grids', '10.0.0.2')).statusCode).toBe(200);
    expect((await get('/healthz', '10.0.0.1')).statusCode).toBe(200);
    expect((await get('/readyz', '10.0.0.1')).statusCode).toBe(200);
  });
});
