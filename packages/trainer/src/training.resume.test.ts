import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ExperimentSpec, type MetricValue, type TrainerEvent, resolveExperiment } from '@resnet-lab/spec';
import type { StoredNormalizer } from './checkpoint.codec';
import {
  checkpointToLayersModel,
  decodeCheckpoint,
  encodeCheckpoint,
  loadDataset,
  runTraining,
  selectBackend,
  setModelWeights,
} from './index';
import { fitNormalizer } from './normalization.stats';
import { buildSeededModel } from './seeded-model.builder';

type EpochEvent = Extract<TrainerEvent, { type: 'epoch' }>;

// Exercises every piece of state a resume must restore: augmentation RNG, data order, momentum,
// batch-norm statistics, a cosine schedule over the whole run and a warm-up that ends mid-run.
const spec = ExperimentSpec.parse({
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 160, testSize: 32, validationSplit: 32, augment: true, augmentPadding: 2 },
  training: {
    epochs: 4,
    batchSize: 32,
    learningRate: 0.05,
    schedule: { type: 'cosine' },
    warmup: { type: 'until-train-error', learningRate: 0.01, below: 0.7, window: 2 },
    seed: 7,
  },
});

/** Metrics without the wall-clock ones, which legitimately differ between runs. */
const deterministic = (metrics: MetricValue[]) =>
  metrics.filter((m) => m.name !== 'epoch_seconds' && m.name !== 'images_per_second');

// Always tfjs `cpu`, and also the backend production would pick when that is another one (the
// oneDNN engine where it is built): exact resume must hold on the backend the worker really uses.
const backends = [...new Set(['cpu', (await selectBackend()).name])];

async function run(backend: string, options: { resume?: Uint8Array; abortAfterEpoch?: number; seed?: number } = {}) {
  const controller = new AbortController();
  const epochs: EpochEvent[] = [];
  const s =
    options.seed === undefined ? spec : { ...spec, training: { ...spec.training, seed: options.seed, epochs: 1 } };
  const result = await runTraining({
    experiment: resolveExperiment(s),
    signal: controller.signal,
    backend,
    ...(options.resume ? { resume: { bytes: options.resume } } : {}),
    onEvent: (e) => {
      if (e.type !== 'epoch') return;
      epochs.push(e);
      if (e.epoch === options.abortAfterEpoch) controller.abort();
    },
  });
  return { result, epochs };
}

describe.each(backends)('determinism and exact resume on %s', (backend) => {
  it('same spec and seed give identical metrics and checkpoints; 2 + stop + resume 2 equals 4 straight', async () => {
    const straight = await run(backend);
    const again = await run(backend);
    expect(straight.result.status).toBe('completed');
    expect(straight.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(again.epochs.map((e) => deterministic(e.metrics))).toEqual(
      straight.epochs.map((e) => deterministic(e.metrics)),
    );
    expect(again.epochs.map((e) => e.checkpoint!.sha256)).toEqual(straight.epochs.map((e) => e.checkpoint!.sha256));

    const firstHalf = await run(backend, { abortAfterEpoch: 2 });
    expect(firstHalf.result.status).toBe('aborted');
    expect(firstHalf.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const resumed = await run(backend, { resume: firstHalf.epochs[1]!.checkpoint!.bytes });
    expect(resumed.result.status).toBe('completed');
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    expect(resumed.epochs.map((e) => deterministic(e.metrics))).toEqual(
      straight.epochs.slice(2).map((e) => deterministic(e.metrics)),
    );
    // Same bytes: weights, momentum, RNG states, data order and schedule state all identical.
    expect(resumed.epochs[1]!.checkpoint!.sha256).toBe(straight.epochs[3]!.checkpoint!.sha256);

    // By the end the warm-up has handed over to the cosine decay.
    const lr = straight.epochs.map((e) => e.metrics.find((m) => m.name === 'learning_rate')!.value);
    expect(lr[3]).toBeLessThan(lr[2]!);
    expect(lr[2]).toBeLessThan(lr[1]!);
  });

  it('a different seed gives different results', async () => {
    const a = await run(backend, { seed: 1 });
    const b = await run(backend, { seed: 2 });
    expect(a.epochs[0]!.checkpoint!.sha256).not.toBe(b.epochs[0]!.checkpoint!.sha256);
  });
});

/** The checkpoint re-encoded with another stored normalisation, or none (as written before it was stored). */
function withNormalizer(bytes: Uint8Array, normalizer: StoredNormalizer | null): Uint8Array {
  const ck = decodeCheckpoint(bytes);
  const {
    format: _format,
    version: _version,
    weights: _weights,
    velocities: _velocities,
    dataOrder: _dataOrder,
    normalization: _normalization,
    ...header
  } = ck.header;
  return encodeCheckpoint({
    header,
    weights: ck.header.weights.map((r, i) => ({ name: r.name, shape: r.shape, data: ck.weights[i]! })),
    velocities: ck.velocities,
    dataOrder: ck.dataOrder,
    ...(normalizer ? { normalizer } : {}),
  }).bytes;
}

describe('the input normalisation stored with the checkpoint', () => {
  it('is the one fitted on the training split, and a resume normalises with it', async () => {
    const straight = await run('cpu');
    const firstHalf = await run('cpu', { abortAfterEpoch: 2 });
    const stored = decodeCheckpoint(firstHalf.epochs[1]!.checkpoint!.bytes).normalizer!;
    const data = await loadDataset(spec.dataset, { height: 8, width: 8, channels: 3 });
    const fitted = fitNormalizer(data.train, spec.dataset.normalization);
    expect(stored.kind).toBe('per-channel');
    expect(stored.offset).toEqual(fitted.offset);
    expect(stored.scale).toEqual(fitted.scale);

    // A checkpoint from before it was stored: refitted, the same numbers, the same run.
    const older = await run('cpu', { resume: withNormalizer(firstHalf.epochs[1]!.checkpoint!.bytes, null) });
    expect(older.epochs[1]!.checkpoint!.sha256).toBe(straight.epochs[3]!.checkpoint!.sha256);
    // Another stored normalisation is used as stored (the network was trained on it): another run.
    const shifted = { ...stored, offset: stored.offset.map((v) => v + 20) };
    const other = await run('cpu', { resume: withNormalizer(firstHalf.epochs[1]!.checkpoint!.bytes, shifted) });
    const loss = (r: typeof straight, i: number) => r.epochs[i]!.metrics.find((m) => m.name === 'loss')!.value;
    expect(loss(other, 0)).not.toBe(loss(straight, 2));
    expect(decodeCheckpoint(other.epochs[1]!.checkpoint!.bytes).normalizer!.offset).toEqual(shifted.offset);
  });
});

describe('checkpointToLayersModel', () => {
  it('exports model.json + weights.bin that stock tf.loadLayersModel reloads with identical predictions', async () => {
    const short = { ...spec, training: { ...spec.training, epochs: 1 } };
    let bytes: Uint8Array | undefined;
    await runTraining({
      experiment: resolveExperiment(short),
      signal: new AbortController().signal,
      backend: 'cpu',
      onEvent: (e) => {
        if (e.type === 'epoch') bytes = e.checkpoint!.bytes;
      },
    });
    const { modelJson, weights } = await checkpointToLayersModel(short, bytes!);
    // Round-trip through JSON text, as a download would.
    const json = JSON.parse(JSON.stringify(modelJson)) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      userDefinedMetadata: { normalization: { kind: string; offset: number[]; scale: number[] } };
    };
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    // How to normalise the images for this network, as trained.
    const stored = decodeCheckpoint(bytes!).normalizer!;
    expect(json.userDefinedMetadata.normalization).toMatchObject({
      kind: 'per-channel',
      offset: Array.from(stored.offset),
      scale: Array.from(stored.scale),
    });
    expect(json.userDefinedMetadata.normalization.offset).toHaveLength(8 * 8 * 3);
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: weights.slice().buffer,
      }),
    );
    const reference = buildSeededModel(resolveExperiment(short).architecture, 123);
    setModelWeights(reference, decodeCheckpoint(bytes!).weights);
    const x = tf.randomNormal([5, 8, 8, 3], 0, 1, 'float32', 42);
    const expected = (reference.predict(x) as tf.Tensor).arraySync();
    const actual = (loaded.predict(x) as tf.Tensor).arraySync();
    expect(actual).toEqual(expected);
    tf.dispose([x, reference, loaded] as never);
  });
});
