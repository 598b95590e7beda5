import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPlugin } from './web.plugin';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rl-web-'));
  await mkdir(path.join(dir, 'built', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'built', 'index.html'), '<!doctype html><title>dash</title>');
  await writeFile(path.join(dir, 'built', 'assets', 'app-abc123.js'), 'console.log(1)');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function appWith(root: string) {
  const app = Fastify();
  app.get('/v1/things', () => ({ ok: true }));
  await app.register(webPlugin, { root });
  await app.ready();
  return app;
}

describe('web plugin', () => {
  it('serves index.html at / and at every client-side route, uncached', async () => {
    const app = await appWith(path.join(dir, 'built'));
    for (const url of [
      '/',
      '/grids/6f1c1b9e-0000-4000-8000-000000000000',
      '/experiments/x',
      '/compare?ids=a,b',
      '/workers',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>dash</title>');
    }
    await app.close();
  });

  it('serves hashed assets with a long immutable cache and leaves other paths to the API', async () => {
    const app = await appWith(path.join(dir, 'built'));
    const asset = await app.inject({ url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/assets/nope.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/things' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/v1/unknown' })).statusCode).toBe(404);
    await app.close();
  });

  it('answers a clear 503 page, not a failed start, when the dashboard is not built', async () => {
    const app = await appWith(path.join(dir, 'missing'));
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('The dashboard is not built');
    expect(res.body).toContain('npm run build -w @resnet-lab/web');
    expect((await app.inject({ url: '/v1/things' })).statusCode).toBe(200);
    await app.close();
  });
});
