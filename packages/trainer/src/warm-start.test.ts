import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment, type InitReport, type InitSpec, type TrainerEvent } from '@resnet-lab/spec';
import { decodeCheckpoint } from './checkpoint.codec';
import { checkpointToLayersModel, runTraining } from './index';
import { buildSeededModel } from './seeded-model.builder';
import { checkpointWeights, freezeLayers, loadInitWeights } from './warm-start';

const SOURCE_ID = '00000000-0000-4000-8000-000000000001';
const architecture = { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 } as const;
const dataset = (classes: number, dataSeed: number) =>
  ({ name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes, dataSeed }) as const;

const roots = mkdtempSync(join(tmpdir(), 'warm-start-'));
afterAll(() => rmSync(roots, { recursive: true, force: true }));

async function train(spec: unknown, init?: { bytes: Uint8Array }) {
  const events: TrainerEvent[] = [];
  await runTraining({
    experiment: resolveExperiment(ExperimentSpec.parse(spec)),
    signal: new AbortController().signal,
    backend: 'cpu',
    datasetAccess: { roots: [roots], maxFileBytes: 2 ** 26 },
    onEvent: (e) => events.push(e),
    ...(init ? { init: { experiment: SOURCE_ID, epoch: 1, ...init } } : {}),
  });
  const epochs = events.filter((e) => e.type === 'epoch');
  const report = events.find((e) => e.type === 'initialized')?.report;
  return { checkpoint: epochs.at(-1)!.checkpoint!.bytes, report };
}

function weightsOf(bytes: Uint8Array): Map<string, Float32Array> {
  const ck = decodeCheckpoint(bytes);
  return new Map(ck.header.weights.map((r, i) => [r.name, ck.weights[i]!]));
}

describe('warm start (spec.init)', () => {
  it('loads matching weights, skips the head whose shape differs, and keeps frozen layers exactly', async () => {
    const source = await train({ architecture, dataset: dataset(4, 0), training: { epochs: 1, batchSize: 32 } });
    const child = await train(
      {
        architecture,
        dataset: dataset(3, 1),
        training: { epochs: 1, batchSize: 32, seed: 5 },
        init: { from: { experiment: SOURCE_ID, epoch: 1 }, freeze: 'all-but-head' },
      },
      { bytes: source.checkpoint },
    );
    const report: InitReport = child.report!;
    expect(report.source).toEqual({ experiment: SOURCE_ID, epoch: 1 });
    expect(report.skipped).toEqual([
      { name: 'logits/kernel', reason: 'shape [16, 4] in the source, [16, 3] here' },
      { name: 'logits/bias', reason: 'shape [4] in the source, [3] here' },
    ]);
    const before = weightsOf(source.checkpoint);
    expect(report.loaded).toHaveLength(before.size - 2);
    expect(report.frozen).not.toContain('logits');
    expect(report.frozen).toContain('stem_conv');

    const after = weightsOf(child.checkpoint);
    // Frozen: every weight exactly as loaded, batch-norm moving statistics included (inference mode).
    expect(report.loaded.some((name) => /moving_mean$/.test(name))).toBe(true);
    for (const name of report.loaded) {
      expect(Array.from(after.get(name)!), name).toEqual(Array.from(before.get(name)!));
    }
  });

  it('at step 0, loaded weights equal the source bit for bit and the rest are freshly initialised', async () => {
    const spec = ExperimentSpec.parse({ architecture, dataset: dataset(4, 0), training: { epochs: 1, batchSize: 32 } });
    const source = await train(spec);
    const stored = checkpointWeights(source.checkpoint);
    const arch = resolveExperiment(spec).architecture;
    const model = buildSeededModel(arch, 9);
    const fresh = buildSeededModel(arch, 9);
    try {
      const init = {
        from: { experiment: SOURCE_ID, epoch: 1 },
        load: 'matching',
        freeze: 'none',
        resetHead: true,
      } as const;
      const report = loadInitWeights(model, init, stored, { experiment: SOURCE_ID, epoch: 1 });
      const value = (m: typeof model, name: string) =>
        Array.from(
          m.weights
            .find((w) => w.originalName === name)!
            .read()
            .dataSync(),
        );
      for (const name of report.loaded) expect(value(model, name), name).toEqual(Array.from(stored.get(name)!.data));
      // The head was not loaded: exactly the seeded He initialisation a run without init gets.
      for (const { name } of report.skipped) expect(value(model, name), name).toEqual(value(fresh, name));
      expect(report.skipped.map((s) => s.name)).toEqual(['logits/kernel', 'logits/bias']);
    } finally {
      model.dispose();
      fresh.dispose();
    }
  });

  it('initialises the head afresh with resetHead, and trains what is not frozen', async () => {
    const spec = { architecture, dataset: dataset(4, 0), training: { epochs: 1, batchSize: 32 } };
    const source = await train(spec);
    const child = await train(
      { ...spec, init: { from: { experiment: SOURCE_ID, epoch: 'last' }, resetHead: true } },
      { bytes: source.checkpoint },
    );
    expect(child.report!.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['logits/kernel', 'output layer, initialised afresh (resetHead)'],
      ['logits/bias', 'output layer, initialised afresh (resetHead)'],
    ]);
    expect(child.report!.frozen).toEqual([]);
    const before = weightsOf(source.checkpoint);
    const after = weightsOf(child.checkpoint);
    expect(Array.from(after.get('stem_conv/kernel')!)).not.toEqual(Array.from(before.get('stem_conv/kernel')!));
  });

  it("loads a TensorFlow.js model directory (this service's own export) under the dataset roots", async () => {
    const spec = { architecture, dataset: dataset(4, 0), training: { epochs: 1, batchSize: 32 } };
    const source = await train(spec);
    const { modelJson, weights } = await checkpointToLayersModel(ExperimentSpec.parse(spec), source.checkpoint);
    const dir = join(roots, 'exported');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(join(dir, 'weights.bin'), weights);

    const child = await train({ ...spec, dataset: dataset(3, 1), init: { from: { modelDir: dir } } });
    expect(child.report!.source).toEqual({ modelDir: dir });
    expect(child.report!.skipped.map((s) => s.name)).toEqual(['logits/kernel', 'logits/bias']);
    const before = weightsOf(source.checkpoint);
    expect(child.report!.loaded).toHaveLength(before.size - 2);

    await expect(train({ ...spec, init: { from: { modelDir: '/etc' } } })).rejects.toThrow(
      /dataset directory \/etc is outside the dataset roots/,
    );
  });

  it('loads only the listed layers, says why every other weight was skipped, and freezes up to a named layer', () => {
    const arch = resolveExperiment(
      ExperimentSpec.parse({ architecture, dataset: dataset(4, 0), training: { epochs: 1, batchSize: 32 } }),
    ).architecture;
    const source = buildSeededModel(arch, 1);
    const model = buildSeededModel(arch, 2);
    try {
      const withWeights = model.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
      const [first, second, third] = withWeights as [string, string, string];
      const stored = new Map(
        source.weights.map((w) => [
          w.originalName,
          { shape: w.shape as number[], data: w.read().dataSync() as Float32Array },
        ]),
      );
      // The source lacks one weight of a listed layer.
      const absent = source.weights.find((w) => w.originalName.startsWith(`${second}/`))!.originalName;
      stored.delete(absent);
      const init: InitSpec = { from: { modelDir: '/x' }, load: [first, second], freeze: 'none', resetHead: false };
      const report = loadInitWeights(model, init, stored, { modelDir: '/x' });

      const layerOf = (name: string) => name.split('/')[0]!;
      const expectedLoaded = model.weights
        .map((w) => w.originalName)
        .filter((n) => [first, second].includes(layerOf(n)) && n !== absent);
      expect(report.loaded).toEqual(expectedLoaded);
      for (const name of report.loaded) {
        const weight = model.weights.find((w) => w.originalName === name)!;
        expect(Array.from(weight.read().dataSync()), name).toEqual(Array.from(stored.get(name)!.data));
      }
      const reasons = new Map(report.skipped.map((s) => [s.name, s.reason]));
      expect(reasons.get(absent)).toBe('not in the source checkpoint');
      expect(reasons.get(model.weights.find((w) => layerOf(w.originalName) === third)!.originalName)).toBe(
        'layer not listed in init.load',
      );
      // Every weight of the model is accounted for: loaded or skipped with a reason.
      expect(report.loaded.length + report.skipped.length).toBe(model.weights.length);

      // Freezing up to the second layer with weights freezes exactly the first two.
      expect(freezeLayers(model, second)).toEqual([first, second]);
      for (const layer of model.layers.filter((l) => l.weights.length > 0)) {
        expect(layer.trainable, layer.name).toBe(![first, second].includes(layer.name));
      }
    } finally {
      source.dispose();
      model.dispose();
    }
  });

  it('refuses a load list or a freeze point that names a layer the network does not have', async () => {
    const spec = { architecture, dataset: dataset(4, 0), training: { epochs: 1, batchSize: 32 } };
    const source = await train(spec);
    const from = { experiment: SOURCE_ID };
    await expect(train({ ...spec, init: { from, load: ['nope'] } }, { bytes: source.checkpoint })).rejects.toThrow(
      'init.load names layer "nope", which this network does not have',
    );
    await expect(train({ ...spec, init: { from, freeze: 'nope' } }, { bytes: source.checkpoint })).rejects.toThrow(
      'init.freeze names layer "nope", which this network does not have',
    );
    await expect(train({ ...spec, init: { from } })).rejects.toThrow(/no source checkpoint was given/);
  });
});
