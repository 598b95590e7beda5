import { describe, expect, it } from 'vitest';
import { useStack, waitFor } from '@resnet-lab/testing';

/**
 * Early stopping over the real processes: a grid where half the points cannot learn (learning rate
 * 10, the schema's largest: the loss stays finite but the error stays at chance) runs under ASHA on
 * one worker slot, in expansion order. The bad half must be stopped at the first rung, most of the
 * compute saved, and the best point must still train to the end. The median rule runs the same
 * way, compared with succeeded members only.
 */
const fixture = useStack({ workerEnv: { TRAINER_BACKEND: 'cpu' } });
const { api, withLogs } = fixture;

const EPOCHS = 8;
const BASE = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  // 48 validation images: chance (75% error) and learning (under 45% after one epoch) stay apart.
  dataset: { name: 'synthetic', trainSize: 192, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: EPOCHS, batchSize: 32 },
};
const GOOD_LR = 0.2;
const BAD_LR = 10;
const ASHA = { type: 'asha', metric: 'validation.error', gracePeriod: 1, reductionFactor: 2 };

describe('early stopping end to end', () => {
  it('refuses a rule whose metric a member would never record, naming the field', async () => {
    const res = await api('/v1/grids?dryRun=true', {
      method: 'POST',
      body: {
        base: { ...BASE, dataset: { ...BASE.dataset, validationSplit: 0 } },
        axes: { 'training.seed': [0, 1] },
        earlyStopping: ASHA,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['earlyStopping.metric']);

    const bad = await api('/v1/grids?dryRun=true', {
      method: 'POST',
      body: { base: BASE, earlyStopping: { ...ASHA, type: 'hyperband', reductionFactor: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'earlyStopping.reductionFactor',
      'earlyStopping.type',
    ]);
  });

  it('stops the half that cannot learn at the first rung and saves at least 40% of the epochs', async () => {
    const created = await api('/v1/grids', {
      method: 'POST',
      body: {
        name: 'asha',
        base: BASE,
        axes: { 'training.learningRate': [GOOD_LR, BAD_LR], 'training.seed': [0, 1, 2] },
        earlyStopping: ASHA,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.grid.earlyStopping).toMatchObject({ ...ASHA, minSamples: 3 });
    const id = created.body.grid.id;
    const grid = await waitFor(
      async () => {
        const { body } = await api(`/v1/grids/${id}`);
        return body.done ? body : undefined;
      },
      { timeoutMs: 280_000, what: 'the ASHA grid to finish' },
    ).catch((error) => {
      throw withLogs(error as Error);
    });

    const summary = (await api(`/v1/grids/${id}/summary`)).body;
    const bad = summary.experiments.filter((e: any) => e.values['training.learningRate'] === BAD_LR);
    const good = summary.experiments.filter((e: any) => e.values['training.learningRate'] === GOOD_LR);
    expect(bad).toHaveLength(3);
    for (const e of bad) {
      expect(e.status, `lr ${BAD_LR} seed ${e.values['training.seed']}`).toBe('stopped');
      const view = (await api(`/v1/experiments/${e.experimentId}`)).body;
      // The decision, with its numbers: stopped at the first rung, worse than the cutoff it names.
      const stop = view.stoppingDecisions.at(-1);
      expect(stop).toMatchObject({ epoch: 1, rule: 'asha', metric: 'validation.error', action: 'stop' });
      expect(stop.compared).toBeGreaterThanOrEqual(1);
      expect(stop.value).toBeGreaterThan(stop.cutoff);
      // Nothing the trainer reported after the stop was recorded.
      expect(e.epochs).toBe(1);
      expect(view.progress.epoch).toBe(1);
    }
    expect(grid.counts.stopped).toBe(summary.experiments.filter((e: any) => e.status === 'stopped').length);

    const trained = summary.experiments.reduce((sum: number, e: any) => sum + e.epochs, 0);
    const saved = 1 - trained / (summary.experiments.length * EPOCHS);
    expect(saved, `epochs trained: ${trained} of ${summary.experiments.length * EPOCHS}`).toBeGreaterThanOrEqual(0.4);

    // The best point trained to the end, and beats every stopped member's best value.
    const finished = good.filter((e: any) => e.status === 'succeeded');
    expect(finished.length).toBeGreaterThanOrEqual(1);
    const winner = Math.min(...finished.map((e: any) => e.final['validation.error']));
    for (const e of summary.experiments.filter((x: any) => x.status === 'stopped')) {
      expect(winner).toBeLessThan(e.best['validation.error']);
    }

    // Stopped members are counted apart and enter the group statistics only when asked.
    const badGroup = (s: any) => s.groups.find((g: any) => g.values['training.learningRate'] === BAD_LR);
    expect(badGroup(summary)).toMatchObject({ n: 3, succeeded: 0, stopped: 3, final: {} });
    const including = (await api(`/v1/grids/${id}/summary?includeStopped=true`)).body;
    expect(badGroup(including).final['validation.error'].n).toBe(3);
  });

  it("stops with the median rule against succeeded members only, Optuna's way", async () => {
    // One slot, expansion order: the first lr-0.2 member succeeds with nothing to compare against;
    // the lr-10 members are then judged at epoch 1 against the succeeded members' values there.
    const created = await api('/v1/grids', {
      method: 'POST',
      body: {
        name: 'median',
        base: { ...BASE, training: { ...BASE.training, epochs: 4 } },
        axes: { 'training.learningRate': [GOOD_LR, BAD_LR], 'training.seed': [0, 1] },
        earlyStopping: { type: 'median', gracePeriod: 1, minSamples: 1 },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.grid.id;
    await waitFor(async () => ((await api(`/v1/grids/${id}`)).body.done ? true : undefined), {
      timeoutMs: 280_000,
      what: 'the median-rule grid to finish',
    }).catch((error) => {
      throw withLogs(error as Error);
    });
    const summary = (await api(`/v1/grids/${id}/summary`)).body;
    const first = summary.experiments.find(
      (e: any) => e.values['training.learningRate'] === GOOD_LR && e.values['training.seed'] === 0,
    );
    expect(first.status).toBe('succeeded');
    for (const e of summary.experiments.filter((x: any) => x.values['training.learningRate'] === BAD_LR)) {
      expect(e.status).toBe('stopped');
      const stop = (await api(`/v1/experiments/${e.experimentId}`)).body.stoppingDecisions.at(-1);
      expect(stop).toMatchObject({ epoch: 1, rule: 'median', action: 'stop' });
      // Only succeeded members count: the other lr-10 member, stopped, never does.
      const succeededBefore = summary.experiments.filter((x: any) => x.status === 'succeeded').length;
      expect(stop.compared).toBeGreaterThanOrEqual(1);
      expect(stop.compared).toBeLessThanOrEqual(succeededBefore);
      expect(stop.value).toBeGreaterThan(stop.cutoff);
    }
  });
});
