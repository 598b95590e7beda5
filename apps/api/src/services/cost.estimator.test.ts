import { describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import {
  checkpointsWritten,
  createModelCoster,
  estimateSeconds,
  evaluationBatch,
  FALLBACK_STARTUP_SECONDS,
  fitPassCost,
  MAX_RATE_OVER_MEASURED,
  fitStartup,
  runOverheadSeconds,
  secondsPerImage,
  testPassesPerScoring,
  testScorings,
  throughputFor,
  type ModelCost,
  type PassCost,
} from './cost.estimator';

/** A network of `flops` forward MACs and `layers` layers (parameters do not enter the cost). */
const net = (flops: number, layers: number): ModelCost => ({ params: 0, flops, layers });

/** Images/s a backend with this pass cost would measure on `model` at `batchSize`. */
const measured = (model: ModelCost, cost: PassCost, batchSize = 128, passes = 3) => ({
  model,
  batchSize,
  imagesPerSecond: 1 / secondsPerImage(cost, model, batchSize, passes),
});

const BACKEND: PassCost = { overheadSecondsPerImage: 5e-5, layerSecondsPerStep: 4e-4, macsPerSecond: 1.2e11 };

describe('fitPassCost', () => {
  it('recovers overhead, per-layer cost and MAC rate from networks apart in layers and in MACs', () => {
    const samples = [net(7.6e5, 33), net(3.1e7, 75), net(6e6, 201), net(1.9e8, 390)].map((m) => measured(m, BACKEND));
    const fit = fitPassCost(samples, 3, 1e9);
    expect(fit.macsFitted).toBe(true);
    expect(fit.macsPerSecond / BACKEND.macsPerSecond).toBeCloseTo(1, 6);
    expect(fit.overheadSecondsPerImage / BACKEND.overheadSecondsPerImage).toBeCloseTo(1, 6);
    expect(fit.layerSecondsPerStep / BACKEND.layerSecondsPerStep).toBeCloseTo(1, 6);
  });

  it('costs a deep narrow net by its layers, which a MAC rate alone underestimates', () => {
    // Quarter-width CIFAR nets at 28x28 (MACs and layers from describeModel) measured as BACKEND runs.
    const quarter = { 20: net(1.95e6, 75), 56: net(6.0e6, 201), 110: net(1.21e7, 390) };
    const fit = fitPassCost(
      [quarter[20], quarter[56], net(3.1e7, 75)].map((m) => measured(m, BACKEND)),
      3,
      1e9,
      0,
    );
    const truth = secondsPerImage(BACKEND, quarter[110], 128, 3);
    expect(secondsPerImage(fit, quarter[110], 128, 3) / truth).toBeCloseTo(1, 6);
    // A per-layer cost is paid once per step: at batch 32 a layer costs each image four times as much.
    expect(secondsPerImage(fit, quarter[110], 32, 3)).toBeGreaterThan(2 * truth);
  });

  it('needs one point more than terms from finished runs, none more from a calibration', () => {
    const two = [net(1e6, 33), net(3.3e7, 33)].map((m) => measured(m, { ...BACKEND, layerSecondsPerStep: 0 }));
    // Two finished runs fit one term only: an overhead or a MAC rate, not both.
    const runs = fitPassCost(two, 3, 1e9);
    expect(runs.overheadSecondsPerImage === 0 || !runs.macsFitted).toBe(true);
    const calibration = fitPassCost(two, 3, 1e9, 0);
    expect(calibration.macsFitted).toBe(true);
    expect(calibration.macsPerSecond / BACKEND.macsPerSecond).toBeCloseTo(1, 6);
    expect(calibration.overheadSecondsPerImage / BACKEND.overheadSecondsPerImage).toBeCloseTo(1, 6);
  });

  it('fits the overhead alone on networks alike in size, with the documented rate', () => {
    const documented = { ...BACKEND, layerSecondsPerStep: 0, macsPerSecond: 8.7e10 };
    const samples = [1e6, 1.1e6, 1.2e6].map((f) => measured(net(f, 33), documented));
    const fit = fitPassCost(samples, 3, 8.7e10);
    expect(fit).toMatchObject({ macsFitted: false, macsPerSecond: 8.7e10, layerSecondsPerStep: 0 });
    expect(fit.overheadSecondsPerImage / 5e-5).toBeCloseTo(1, 6);
  });

  it('holds a MAC rate that noise fitted near infinite to a few times the best measured', () => {
    // Three networks 2x and 4x apart in MACs whose times barely follow them: the exact fit leaves a
    // MAC coefficient of almost nothing, which would cost a network 100x larger as nearly free.
    const samples = [
      { model: net(1e7, 33), batchSize: 128, imagesPerSecond: 1000 },
      { model: net(2e7, 75), batchSize: 128, imagesPerSecond: 999.9 },
      { model: net(4e7, 33), batchSize: 128, imagesPerSecond: 999.8 },
    ];
    const fastest = Math.max(...samples.map((s) => 3 * s.model.flops * s.imagesPerSecond));
    const fit = fitPassCost(samples, 3, 1e9, 0);
    expect(fit).toMatchObject({ macsFitted: true, macsCapped: true });
    expect(fit.macsPerSecond).toBeCloseTo(MAX_RATE_OVER_MEASURED * fastest, -3);
    // The other terms are fitted on what the MACs at that rate leave: each sample still costs what it took.
    for (const s of samples) {
      expect(secondsPerImage(fit, s.model, 128, 3) * s.imagesPerSecond).toBeGreaterThan(0.8);
      expect(secondsPerImage(fit, s.model, 128, 3) * s.imagesPerSecond).toBeLessThan(1.2);
    }
  });

  it('raises a documented rate that a measured run beats, and uses it alone without measurements', () => {
    const fast = fitPassCost(
      [measured(net(4e7, 75), { overheadSecondsPerImage: 0, layerSecondsPerStep: 0, macsPerSecond: 2e11 })],
      3,
      8.7e10,
    );
    expect(fast.macsPerSecond / 2e11).toBeCloseTo(1, 6);
    expect(fast.overheadSecondsPerImage).toBe(0);
    expect(fitPassCost([], 3, 3.7e7)).toEqual({
      macsPerSecond: 3.7e7,
      overheadSecondsPerImage: 0,
      layerSecondsPerStep: 0,
      macsFitted: false,
      macsCapped: false,
    });
  });
});

describe('estimateSeconds', () => {
  const spec = (architecture: object, dataset: object, epochs: number) =>
    ExperimentSpec.parse({ architecture, dataset, training: { epochs, batchSize: 128 } });
  const resnet20 = spec(
    { family: 'cifar-resnet', depth: 20 },
    { name: 'synthetic', trainSize: 60_000, testSize: 10_000, imageSize: 28, channels: 1, classes: 10 },
    2,
  );

  it('adds start-up, training, validation each epoch and the test set once', async () => {
    const model = (await createModelCoster()(resnet20))!;
    expect(model.layers).toBeGreaterThan(60);
    const throughput = {
      backend: 'onednn',
      source: 'test',
      startupSeconds: 2.5,
      checkpointSecondsPerParam: 0,
      evaluation: null,
      ...BACKEND,
    };
    const trained = secondsPerImage(BACKEND, model, 128, 3);
    // Each epoch trains 45,000 images and evaluates the 15,000 held out for validation; without a
    // measured evaluation cost an evaluated image is a third of a trained one.
    const epoch = 45_000 * trained + (15_000 * trained) / 3;
    expect(estimateSeconds(resnet20, model, throughput)).toBeCloseTo(2.5 + 2 * epoch + (10_000 * trained) / 3, 6);
    // With evaluation's own cost: forward passes at batch 256.
    const evaluation = { overheadSecondsPerImage: 1e-5, layerSecondsPerStep: 2e-4, macsPerSecond: 2e11 };
    const evaluated = secondsPerImage(evaluation, model, 256, 1);
    expect(evaluated).not.toBeCloseTo(trained / 3, 6);
    expect(estimateSeconds(resnet20, model, { ...throughput, evaluation })).toBeCloseTo(
      2.5 + 2 * (45_000 * trained + 15_000 * evaluated) + 10_000 * evaluated,
      6,
    );
  });

  it('charges the test set as often as the run scores it, once per protocol view and test size', async () => {
    const model = (await createModelCoster()(resnet20))!;
    const evaluation = { overheadSecondsPerImage: 1e-5, layerSecondsPerStep: 0, macsPerSecond: 2e11 };
    const throughput = {
      backend: 'onednn',
      source: 'test',
      startupSeconds: 0,
      checkpointSecondsPerParam: 0,
      evaluation,
      ...BACKEND,
    };
    const withTraining = (training: object, dataset: object = {}) =>
      ExperimentSpec.parse({
        ...resnet20,
        dataset: { ...resnet20.dataset, ...dataset },
        training: { ...resnet20.training, ...training },
      });
    const testSet = 10_000 * secondsPerImage(evaluation, model, 256, 1);
    const base = estimateSeconds(resnet20, model, throughput);
    const extra = (training: object, dataset?: object) =>
      estimateSeconds(withTraining(training, dataset), model, throughput) - base;
    expect(extra({ evaluateTest: 'never' })).toBeCloseTo(-testSet, 6);
    // Two epochs: scored after each, one scoring more than the default.
    expect(extra({ evaluateTest: 'every-epoch' })).toBeCloseTo(testSet, 6);
    // Ten views of every image; centre and 10-crop are eleven centre passes; five views without flips.
    expect(extra({ testProtocols: ['center', '10-crop'] })).toBeCloseTo(10 * testSet, 6);
    expect(extra({ testProtocols: ['center', '10-crop'] }, { augment: true, augmentFlip: false })).toBeCloseTo(
      5 * testSet,
      6,
    );
    // Dense at 56 px: four times the area of the 28 px training size.
    expect(extra({ testProtocols: ['dense'], denseScale: 56 })).toBeCloseTo(3 * testSet, 6);
    // Without a validation set the runner scores the test set every epoch (and has more to train).
    const r = (training: object, dataset: object = {}) => resolveExperiment(withTraining(training, dataset));
    expect(testScorings(r({}, { validationSplit: 0 }))).toBe(2);
    expect(testScorings(r({ evaluateTest: 'never' }))).toBe(0);
    // Multi-scale by default at 7/8, 1 and 9/8 of 28 px, rounded: 25, 28 and 32 px.
    expect(testPassesPerScoring(r({ testProtocols: ['multi-scale'] }))).toBeCloseTo(
      (25 / 28) ** 2 + 1 + (32 / 28) ** 2,
      9,
    );
  });

  it("takes a run's start-up as the median of measured runs, ignoring unknown ones, else a documented constant", () => {
    const alike = (seconds: (number | null)[]) => seconds.map((s) => ({ seconds: s, checkpointParams: 50_000 }));
    expect(fitStartup(alike([3, null, 1, 2, 10]))).toEqual({ seconds: 2.5, secondsPerCheckpointParam: 0, measured: 4 });
    expect(fitStartup(alike([4, -1, null, 2, 3]))).toEqual({ seconds: 3, secondsPerCheckpointParam: 0, measured: 3 });
    expect(fitStartup(alike([null]))).toEqual({
      seconds: FALLBACK_STARTUP_SECONDS,
      secondsPerCheckpointParam: 0,
      measured: 0,
    });
  });

  it('evaluates at the training batch, at least 256, and no more than the set holds', () => {
    expect(evaluationBatch(128)).toBe(256);
    expect(evaluationBatch(512, 10_000)).toBe(512);
    // A 32-image validation set at batch 16 is one step of 32 images.
    expect(evaluationBatch(16, 32)).toBe(32);
  });

  it('keeps a start-up beside any checkpoint cost: two runs give their median, not a fit through 0', () => {
    const two = [
      { seconds: 2, checkpointParams: 60_000 },
      { seconds: 4, checkpointParams: 6_000_000 },
    ];
    expect(fitStartup(two)).toEqual({ seconds: 3, secondsPerCheckpointParam: 0, measured: 2 });
  });

  it('charges each checkpoint by its parameters where the runs differ in what they checkpointed', async () => {
    // 2 s of start-up and 0.3 µs per parameter and checkpoint: ResNets of 20k-110k parameters, a VGG of 2M.
    const samples = [20_000, 60_000, 110_000, 2_000_000].map((params) => ({
      seconds: 2 + 3e-7 * params * 3,
      checkpointParams: params * 3,
    }));
    const fit = fitStartup(samples);
    expect(fit.seconds).toBeCloseTo(2, 9);
    expect(fit.secondsPerCheckpointParam / 3e-7).toBeCloseTo(1, 6);
    // A run writes a checkpoint every `checkpointEvery` epochs and after its last.
    const vgg = ExperimentSpec.parse({
      architecture: { family: 'vgg16-skip', widthMultiplier: 0.25, inputSize: 28, inputChannels: 1 },
      dataset: { name: 'synthetic', imageSize: 28, channels: 1 },
      training: { epochs: 7, checkpointEvery: 3 },
    });
    expect(checkpointsWritten(vgg)).toBe(3);
    const model = (await createModelCoster()(vgg))!;
    const startup = { startupSeconds: fit.seconds, checkpointSecondsPerParam: fit.secondsPerCheckpointParam };
    expect(runOverheadSeconds(startup, vgg, model)).toBeCloseTo(2 + 3e-7 * model.params * 3, 6);
  });
});

describe('throughputFor', () => {
  const cost = createModelCoster();
  const reference = (architecture: object, imageSize: number, batchSize: number) =>
    ExperimentSpec.parse({
      architecture: { ...architecture, inputSize: imageSize, inputChannels: 1 },
      dataset: { name: 'synthetic', imageSize, channels: 1 },
      training: { batchSize },
    });
  // The fast backends' three calibration references (apps/worker/src/calibration.ts).
  const references = [
    reference({ family: 'cifar-resnet', depth: 8, widthMultiplier: 0.5 }, 16, 64),
    reference({ family: 'cifar-resnet', depth: 20 }, 28, 128),
    reference({ family: 'cifar-resnet', depth: 56, widthMultiplier: 0.25 }, 28, 128),
  ];
  // The default synthetic set holds 64 validation images: one evaluation step of 64.
  const validationStep = (spec: ExperimentSpec) =>
    evaluationBatch(spec.training.batchSize, resolveExperiment(spec).images.validation!);
  const EVALUATION: PassCost = { overheadSecondsPerImage: 2e-5, layerSecondsPerStep: 1.5e-4, macsPerSecond: 2e11 };
  const calibrationOf = async (withEvaluation: boolean) =>
    Promise.all(
      references.map(async (spec) => {
        const model = (await cost(spec))!;
        const batch = spec.training.batchSize;
        return {
          spec,
          imagesPerSecond: 1 / secondsPerImage(BACKEND, model, batch, 3),
          ...(withEvaluation
            ? { evaluationImagesPerSecond: 1 / secondsPerImage(EVALUATION, model, validationStep(spec), 1) }
            : {}),
        };
      }),
    );
  const noRuns = { newestBackend: () => Promise.resolve(null), throughputSamples: () => Promise.resolve([]) };
  const fromSlots = async (withEvaluation: boolean) => {
    const calibration = await calibrationOf(withEvaluation);
    return throughputFor(
      noRuns,
      cost,
      undefined,
      () => Promise.resolve('onednn'),
      (backend) => Promise.resolve(backend === 'onednn' ? calibration : []),
    );
  };

  it("fits training and evaluation on the active slots' calibration runs before any experiment finished", async () => {
    const model = await fromSlots(true);
    expect(model.backend).toBe('onednn');
    expect(model.source).toMatch(/^measured: fitted on 3 calibration runs of the active worker slots on onednn/);
    expect(model.source).toMatch(/evaluation fitted on 3 measured validation passes/);
    for (const key of ['macsPerSecond', 'overheadSecondsPerImage', 'layerSecondsPerStep'] as const) {
      expect(model[key] / BACKEND[key]).toBeCloseTo(1, 6);
      expect(model.evaluation![key] / EVALUATION[key]).toBeCloseTo(1, 6);
    }
    // Without them: the documented constant.
    const constant = await throughputFor(noRuns, cost, 'onednn');
    expect(constant.source).toMatch(/^constant/);
    expect(constant.evaluation).toBeNull();
  });

  it('costs evaluation as a third of training where no validation pass was measured, and says so', async () => {
    const model = await fromSlots(false);
    expect(model.evaluation).toBeNull();
    expect(model.source).toMatch(/evaluation costed as a third of a training image/);
  });

  it('fits on finished runs, with their validation passes, beside the calibration', async () => {
    const runs = await Promise.all(
      [
        reference({ family: 'cifar-plain', depth: 20, widthMultiplier: 0.25 }, 28, 128),
        reference({ family: 'cifar-plain', depth: 110, widthMultiplier: 0.25 }, 28, 128),
        reference({ family: 'cifar-resnet', depth: 32 }, 28, 128),
        reference({ family: 'cifar-resnet', depth: 44, widthMultiplier: 0.5 }, 16, 64),
      ].map(async (spec) => {
        const model = (await cost(spec))!;
        return {
          spec,
          imagesPerSecond: 1 / secondsPerImage(BACKEND, model, spec.training.batchSize, 3),
          evaluationImagesPerSecond: 1 / secondsPerImage(EVALUATION, model, validationStep(spec), 1),
          startupSeconds: 1.5,
        };
      }),
    );
    const model = await throughputFor(
      { newestBackend: () => Promise.resolve('onednn'), throughputSamples: () => Promise.resolve(runs) },
      cost,
    );
    expect(model.source).toMatch(/^measured: fitted on the 4 newest succeeded experiments on onednn/);
    expect(model.startupSeconds).toBe(1.5);
    expect(model.layerSecondsPerStep / BACKEND.layerSecondsPerStep).toBeCloseTo(1, 6);
    expect(model.evaluation!.macsPerSecond / EVALUATION.macsPerSecond).toBeCloseTo(1, 6);
  });
});
