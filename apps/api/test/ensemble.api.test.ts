import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;

beforeAll(async () => {
  app = await api.build();
});

const bytes = (a: Int32Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A finished experiment with these test scores stored (3 classes). */
async function scored(probabilities: number[][], labels: number[]): Promise<string> {
  const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json();
  const { lease } = (await api.deps.repos.experiments.claim(created.id, 'w1'))!;
  await api.deps.repos.testScores.save(lease, 2, {
    classes: 3,
    labels: bytes(Int32Array.from(labels)),
    probabilities: bytes(Float32Array.from(probabilities.flat())),
  });
  await api.deps.repos.experiments.finish(lease, 'succeed');
  return created.id as string;
}

const ensemble = (ids: string[]) => app.inject({ method: 'GET', url: `/v1/compare/ensemble?ids=${ids.join(',')}` });

describe('GET /v1/compare/ensemble', () => {
  it("averages the members' softmax scores per image and scores the average", async () => {
    const labels = [0, 1, 2];
    // A is right on images 0 and 1, B on 1 and 2; together they are right on all three.
    const a = await scored(
      [
        [0.6, 0.3, 0.1],
        [0.2, 0.7, 0.1],
        [0.5, 0.1, 0.4],
      ],
      labels,
    );
    const b = await scored(
      [
        [0.3, 0.5, 0.2],
        [0.1, 0.8, 0.1],
        [0.1, 0.1, 0.8],
      ],
      labels,
    );
    const res = await ensemble([a, b]);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.members.map((m: { error: number }) => m.error)).toEqual([1 / 3, 1 / 3]);
    expect(body.members[0]).toMatchObject({ experimentId: a, epoch: 2 });
    expect(body.ensemble.error).toBe(0);
    const loss = -(Math.log(0.45) + Math.log(0.75) + Math.log(0.6)) / 3;
    expect(body.ensemble.loss).toBeCloseTo(loss, 6);
    expect(body.ensemble).toMatchObject({ images: 3, classes: 3 });
  });

  it('refuses experiments without scores or scored on other images, naming ids; unknown ids are a 404', async () => {
    const a = await scored([[1, 0, 0]], [0]);
    const b = await scored([[1, 0, 0]], [1]);
    const other = await ensemble([a, b]);
    expect(other.statusCode).toBe(400);
    expect(other.json().errors[0]).toMatchObject({ field: 'querystring.ids' });
    expect(other.json().detail).toMatch(/different test images/);

    const unscored = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json().id as string;
    const none = await ensemble([a, unscored]);
    expect(none.statusCode).toBe(400);
    expect(none.json().detail).toMatch(new RegExp(`no test scores for ${unscored}`));

    const unknown = await ensemble([a, '00000000-0000-4000-8000-00000000dead']);
    expect(unknown.statusCode).toBe(404);
  });

  it("drops a dead attempt's scores taken after the checkpoint a new attempt resumes from", async () => {
    const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json();
    const { lease } = (await api.deps.repos.experiments.claim(created.id, 'w1'))!;
    const scores = {
      classes: 3,
      labels: bytes(Int32Array.from([0])),
      probabilities: bytes(Float32Array.from([1, 0, 0])),
    };
    await api.deps.repos.testScores.save(lease, 2, scores);
    expect(await api.deps.repos.testScores.removeAfter(lease, 2)).toBe(0);
    expect(await api.deps.repos.testScores.removeAfter(lease, 1)).toBe(1);
    expect(await api.deps.repos.testScores.of([created.id])).toEqual([]);
  });
});
