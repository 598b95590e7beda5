import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { ActivationProbe, loadProbeImages, modelFromCheckpoint, probeImage } from '@resnet-lab/trainer';
import { TINY_SPEC, useStack, waitFor } from '@resnet-lab/testing';

/**
 * "Inside a network" against the real API and worker processes: a tiny residual net is trained,
 * then its layers and activation maps are read over HTTP, computed on the API's compute thread.
 */
const fixture = useStack();
const api = fixture.api;
let id: string;

const activations = (query: string) => api(`/v1/experiments/${id}/activations?${query}`);
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('activation maps', () => {
  it('lists the layers of a trained network, skip-connection sums and block outputs marked', async () => {
    const created = await api('/v1/experiments', { method: 'POST', body: TINY_SPEC });
    expect(created.status).toBe(201);
    id = created.body.id;
    const done = await waitFor(
      async () => {
        const { body } = await api(`/v1/experiments/${id}`);
        return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
      },
      { timeoutMs: 180_000, what: 'the experiment to finish' },
    ).catch((error: Error) => {
      throw fixture.withLogs(error);
    });
    expect(done.status).toBe('succeeded');

    const { status, body } = await api(`/v1/experiments/${id}/activations/layers`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ experimentId: id, checkpoints: [1, 2], epoch: 2, testImages: 32, classes: 4 });
    expect(body.limits).toEqual({ maxChannels: 64, maxSide: 64 });
    const skips = body.layers.filter((l: { role: string }) => l.role === 'skip-add');
    expect(skips.map((l: { name: string }) => l.name)).toEqual([
      'stage1_block1_add',
      'stage2_block1_add',
      'stage3_block1_add',
    ]);
    expect(skips[1]).toEqual({
      name: 'stage2_block1_add',
      kind: 'add',
      outputShape: [4, 4, 8],
      role: 'skip-add',
      spatial: true,
    });
    expect((await api(`/v1/experiments/${id}/activations/layers?epoch=1`)).body.epoch).toBe(1);

    const doc = (await api('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/experiments/{id}/activations', '/v1/experiments/{id}/activations/layers']),
    );
  });

  it("answers one layer's maps for one test image, equal to the model run here on the same checkpoint", async () => {
    const { status, body } = await activations('layer=stage2_block1_add&image=5&epoch=1');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.epoch).toBe(1);
    expect(body.layer.name).toBe('stage2_block1_add');
    expect(body.maps).toMatchObject({
      totalChannels: 8,
      first: 0,
      count: 8,
      height: 4,
      width: 4,
      stride: 1,
      normalization: 'per-channel-min-max',
      layout: 'channel-row-major',
    });
    const maps = bytes(body.maps.data);
    expect(maps.length).toBe(8 * 4 * 4);
    expect(body.image).toMatchObject({ index: 5, height: 8, width: 8, channels: 3 });
    expect(bytes(body.image.pixels).length).toBe(8 * 8 * 3);

    // The same computation in this process, from the checkpoint the API serves.
    const spec = ExperimentSpec.parse((await api(`/v1/experiments/${id}`)).body.spec);
    const checkpoint = await fetch(`${fixture.stack.apiUrl}/v1/experiments/${id}/checkpoints/1`);
    await tf.setBackend('cpu');
    const probe = new ActivationProbe(modelFromCheckpoint(spec, new Uint8Array(await checkpoint.arrayBuffer())).model);
    try {
      const images = await loadProbeImages(spec);
      const picked = probeImage(images, 5);
      const local = probe.run(picked.input, 'stage2_block1_add', { first: 0, count: 64, maxSide: 64 });
      expect(Array.from(maps)).toEqual(Array.from(local.maps.data));
      expect(body.maps.min).toEqual(local.maps.min);
      expect(body.maps.max).toEqual(local.maps.max);
      expect(body.image.label).toBe(picked.label);
      expect(Array.from(bytes(body.image.pixels))).toEqual(Array.from(picked.pixels));
      expect(body.image.predicted).toBe(local.predicted);
      expect(body.image.probabilities).toHaveLength(resolveExperiment(spec).architecture.numClasses ?? 4);
    } finally {
      probe.dispose();
    }

    // A channel window, and the newest checkpoint by default.
    const window = await activations('layer=stage3_block1_out&image=0&firstChannel=10&channels=4');
    expect(window.status).toBe(200);
    expect(window.body.epoch).toBe(2);
    expect(window.body.maps).toMatchObject({ totalChannels: 16, first: 10, count: 4, height: 2, width: 2 });
    expect(bytes(window.body.maps.data).length).toBe(4 * 2 * 2);
  });

  it('refuses bad input with problem+json naming the field', async () => {
    const cases: [string, number, string][] = [
      ['layer=no_such_layer&image=0', 400, 'querystring.layer'],
      ['layer=logits&image=0', 400, 'querystring.layer'],
      ['layer=stage1_block1_add&image=32', 400, 'querystring.image'],
      ['layer=stage1_block1_add&image=-1', 400, 'querystring.image'],
      ['layer=stage1_block1_add&image=0&epoch=7', 404, 'querystring.epoch'],
      ['layer=stage1_block1_add&image=0&firstChannel=4', 400, 'querystring.firstChannel'],
      ['image=0', 400, 'querystring.layer'],
    ];
    for (const [query, status, field] of cases) {
      const res = await fetch(`${fixture.stack.apiUrl}/v1/experiments/${id}/activations?${query}`);
      expect(res.status, query).toBe(status);
      expect(res.headers.get('content-type'), query).toContain('application/problem+json');
      const problem = (await res.json()) as { errors?: { field: string }[] };
      expect(
        problem.errors?.map((e) => e.field),
        query,
      ).toContain(field);
    }
    const missing = await api(`/v1/experiments/00000000-0000-4000-8000-000000000000/activations/layers`);
    expect(missing.status).toBe(404);
    expect((await api(`/v1/experiments/${id}/activations/layers?epoch=5`)).body.errors[0].field).toBe(
      'querystring.epoch',
    );
  });

  it('keeps answering other clients while activations are computed, and says 503 when too many wait', async () => {
    // A fresh API process: the first activation request starts the compute thread, loads
    // TensorFlow.js there, builds the model and the test split: seconds of work, none of it here.
    await fixture.stack.restartApi();
    const order: string[] = [];
    const slow = activations('layer=stage1_block1_out&image=1').then((r) => {
      order.push('activations');
      return r;
    });
    const health = fetch(`${fixture.stack.apiUrl}/healthz`).then((r) => {
      order.push('healthz');
      return r.status;
    });
    const experiment = api(`/v1/experiments/${id}`).then((r) => {
      order.push('experiment');
      return r.status;
    });
    expect(await health).toBe(200);
    expect(await experiment).toBe(200);
    expect((await slow).status).toBe(200);
    expect(order.at(-1)).toBe('activations');

    // One thread, four may wait: of ten at once on a cold checkpoint, some are turned away.
    await fixture.stack.restartApi();
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${fixture.stack.apiUrl}/v1/experiments/${id}/activations?layer=stage1_block1_add&image=${i}`),
      ),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const refused = burst.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(refused[0]!.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused[0]!.json()) as { detail: string }).detail).toMatch(/wait/);
  });
});
