// Idempotency-Key on POST /v1/experiments and POST /v1/grids, against the real Postgres and Redis
// through the real app: concurrent repeats make one resource and get identical answers, also when
// they arrive at two apps with their own connection pools (as two API processes would).
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb, repositories, type Db } from '@resnet-lab/db';
import { DEFAULT_PROJECT } from '@resnet-lab/spec';
import { buildApp, type App } from '../src/app';
import { idempotencyService, requestHash } from '../src/services/idempotency.service';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};
const GRID = { name: 'idempotent', base: TINY, axes: { 'training.seed': [0, 1, 2] } };
let keyCount = 0;
const freshKey = () => `key-${Date.now()}-${++keyCount}`;
/** How a key is stored: behind its project's name (single-user mode: the default project). */
const stored = (key: string) => `${DEFAULT_PROJECT} ${key}`;
const post = (url: string, payload: unknown, key?: string, target: App = app) =>
  target.inject({ method: 'POST', url, payload: payload as object, headers: key ? { 'idempotency-key': key } : {} });
const count = {
  experiments: () => api.database.db.experiment.count(),
  grids: () => api.database.db.grid.count(),
  keys: () => api.database.db.idempotencyKey.count(),
};

beforeAll(async () => {
  app = await api.build();
});

describe('Idempotency-Key', () => {
  it('200 concurrent identical POST /v1/experiments with one key: one experiment, every answer the same', async () => {
    const before = await count.experiments();
    const key = freshKey();
    const answers = await Promise.all(Array.from({ length: 200 }, () => post('/v1/experiments', TINY, key)));
    expect(await count.experiments()).toBe(before + 1);
    const first = answers[0]!;
    expect(first.statusCode).toBe(201);
    for (const res of answers) expect([res.statusCode, res.body]).toEqual([201, first.body]);
    // One answer created it; the other 199 are replays of it, and say so.
    expect(answers.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(199);
    const id = first.json().id as string;
    expect(await api.database.db.experiment.findUnique({ where: { id } })).not.toBeNull();
    expect(await api.deps.trainQueue.getJob(id)).toBeDefined();

    // Later too, with the body's keys in another order (the hash is of canonical JSON).
    const { training, dataset, architecture } = TINY;
    const later = await post('/v1/experiments', { training, dataset, architecture }, key);
    expect([later.statusCode, later.body]).toEqual([201, first.body]);
    expect(await count.experiments()).toBe(before + 1);
  });

  it('200 concurrent identical POST /v1/grids with one key, over two apps with their own pools: one grid', async () => {
    // A second app on its own Prisma client: what a second API process would share is only Postgres.
    const otherDb: Db = createDb(api.database.url, { poolSize: 4 });
    const other = await buildApp({ ...api.deps, db: otherDb, repos: repositories(otherDb) }, { logger: false });
    try {
      const before = { grids: await count.grids(), experiments: await count.experiments() };
      const key = freshKey();
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => post('/v1/grids', GRID, key, i % 2 ? other : app)),
      );
      expect(await count.grids()).toBe(before.grids + 1);
      expect(await count.experiments()).toBe(before.experiments + 3);
      const first = answers[0]!;
      expect(first.statusCode).toBe(201);
      expect(first.json()).toMatchObject({ created: 3, grid: { name: 'idempotent' } });
      for (const res of answers) expect([res.statusCode, res.body]).toEqual([201, first.body]);
    } finally {
      await other.close();
      await otherDb.$disconnect();
    }
  });

  it('the same key with another body, or on another route, is a 409 problem naming Idempotency-Key', async () => {
    const key = freshKey();
    expect((await post('/v1/experiments', TINY, key)).statusCode).toBe(201);
    const before = await count.experiments();

    const otherBody = await post('/v1/experiments', { ...TINY, name: 'another' }, key);
    expect(otherBody.statusCode).toBe(409);
    expect(otherBody.headers['content-type']).toContain('application/problem+json');
    expect(otherBody.json()).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/^Idempotency-Key "key-.*" was already used with a different request body$/),
      errors: [{ field: 'headers.idempotency-key' }],
    });

    const otherRoute = await post('/v1/grids', GRID, key);
    expect(otherRoute.statusCode).toBe(409);
    expect(otherRoute.json().detail).toMatch(/^Idempotency-Key "key-.*" was already used for POST \/v1\/experiments$/);
    expect(await count.experiments()).toBe(before);
  });

  it('without a key, two identical requests make two resources as before', async () => {
    const before = { grids: await count.grids(), experiments: await count.experiments() };
    const [a, b] = [await post('/v1/experiments', TINY), await post('/v1/experiments', TINY)];
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).not.toBe(b.json().id);
    const [g, h] = [await post('/v1/grids', GRID), await post('/v1/grids', GRID)];
    expect([g.statusCode, h.statusCode]).toEqual([201, 201]);
    expect(g.json().grid.id).not.toBe(h.json().grid.id);
    expect(await count.grids()).toBe(before.grids + 2);
  });

  it('a bad key is a 400 problem naming the header, and creates nothing', async () => {
    const before = { experiments: await count.experiments(), keys: await count.keys() };
    for (const bad of ['', 'x'.repeat(201), 'caf\u00e9', 'tab\there']) {
      for (const url of ['/v1/experiments', '/v1/grids']) {
        // Through inject, not `post`, which sends no header for an empty key.
        const payload = url === '/v1/grids' ? GRID : TINY;
        const res = await app.inject({ method: 'POST', url, payload, headers: { 'idempotency-key': bad } });
        expect(res.statusCode, JSON.stringify(bad)).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().errors).toEqual([
          { field: 'headers.idempotency-key', message: 'Idempotency-Key must be 1 to 200 printable ASCII characters' },
        ]);
      }
    }
    expect([await count.experiments(), await count.keys()]).toEqual([before.experiments, before.keys]);
    // 200 characters is the longest allowed.
    expect((await post('/v1/experiments', TINY, 'k'.repeat(200))).statusCode).toBe(201);
  });

  it('a dry run stores no key', async () => {
    const key = freshKey();
    const keys = await count.keys();
    const dry = await post('/v1/grids?dryRun=true', GRID, key);
    expect(dry.statusCode).toBe(200);
    expect(await count.keys()).toBe(keys);
    // The key is still free for a real submission, even of another body.
    expect((await post('/v1/grids', { ...GRID, name: 'after the dry run' }, key)).statusCode).toBe(201);
  });

  it('a failed request gives its key up, so a corrected retry with it runs', async () => {
    const small = await buildApp(api.deps, { logger: false, workerMemoryBytes: 10 * 2 ** 20 });
    try {
      const key = freshKey();
      const tooBig = { ...TINY, training: { epochs: 1, batchSize: 4096 } };
      expect((await post('/v1/experiments', tooBig, key, small)).statusCode).toBe(400);
      expect(await api.database.db.idempotencyKey.findUnique({ where: { key: stored(key) } })).toBeNull();
      expect((await post('/v1/experiments', TINY, key, small)).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('keys expire after 24 h: an older one is taken over by a new request, and pruned', async () => {
    const key = freshKey();
    const first = await post('/v1/experiments', TINY, key);
    const age = async (hours: number) =>
      api.database.db.$executeRawUnsafe(
        `UPDATE "IdempotencyKey" SET "createdAt" = "createdAt" - make_interval(hours => $2) WHERE key = $1`,
        stored(key),
        hours,
      );
    await age(23);
    expect((await post('/v1/experiments', { ...TINY, name: 'other' }, key)).statusCode).toBe(409);
    await age(2);
    const again = await post('/v1/experiments', { ...TINY, name: 'other' }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(first.json().id);

    await age(25);
    const pruned = await api.deps.repos.idempotency.prune();
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await api.database.db.idempotencyKey.findUnique({ where: { key } })).toBeNull();
  });

  it('a repeat waits for the first request still running; one stuck past the wait is a 409', async () => {
    const service = idempotencyService(api.deps.repos.idempotency, { waitMs: 300 });
    const log = { warn: () => {} };
    const request = { key: freshKey(), project: DEFAULT_PROJECT, route: 'POST /test', body: { a: 1 } };
    let finish!: () => void;
    const first = service.run(request, log, async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return { status: 201, body: { id: 'first' } };
    });
    await new Promise((r) => setTimeout(r, 50));
    const repeat = service.run(request, log, async () => ({ status: 201, body: { id: 'second' } }));
    setTimeout(() => finish(), 100);
    expect(await first).toEqual({ status: 201, body: { id: 'first' }, replayed: false });
    expect(await repeat).toEqual({ status: 201, body: { id: 'first' }, replayed: true });

    // Claimed by a request that never answers (an API process that died): no second run, a 409.
    const stuck = { ...request, key: freshKey() };
    expect(
      (await api.deps.repos.idempotency.claim(stored(stuck.key), stuck.route, requestHash(stuck.body))).claimed,
    ).toBe(true);
    const ran: string[] = [];
    await expect(service.run(stuck, log, async () => ({ status: 201, body: ran.push('ran') }))).rejects.toThrow(
      /has not answered yet; retry later/,
    );
    expect(ran).toEqual([]);
  });

  it('the OpenAPI document lists the optional header on both routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/experiments', '/v1/grids']) {
      const header = doc.paths[path].post.parameters.find(
        (p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key',
      );
      expect(header).toMatchObject({ required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } });
      expect(header.description ?? header.schema.description).toMatch(/same key, route and body/);
      expect(doc.paths[path].post.responses['409']).toBeDefined();
    }
  });
});
