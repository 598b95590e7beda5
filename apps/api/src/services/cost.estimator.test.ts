import { describe, expect, it } from 'vitest';
import { ExperimentSpec } from '@resnet-lab/spec';
import {
  createModelCoster,
  estimateSeconds,
  FALLBACK_STARTUP_SECONDS,
  fitStartup,
  fitThroughput,
  throughputFor,
  secondsPerTrainingImage,
} from './cost.estimator';

/** Images/s a backend with this overhead and MAC rate would measure on a network of `flops`. */
const measured = (flops: number, overhead: number, rate: number) => ({
  flops,
  imagesPerSecond: 1 / (overhead + (3 * flops) / rate),
});

describe('fitThroughput', () => {
  it('recovers overhead and MAC rate from networks of different sizes', () => {
    const samples = [1e6, 5e6, 4.1e7, 6.9e7].map((f) => measured(f, 5e-4, 6e10));
    const fit = fitThroughput(samples, 1e9);
    expect(fit.fitted).toBe('line');
    expect(fit.macsPerSecond / 6e10).toBeCloseTo(1, 6);
    expect(fit.overheadSecondsPerImage / 5e-4).toBeCloseTo(1, 6);
  });

  it('fits the line through two networks of very different sizes (a slot calibration)', () => {
    const two = [measured(1e6, 4e-4, 5e10), measured(3.3e7, 4e-4, 5e10)];
    // Two finished runs are too few to trust a line through them; a calibration's two are not.
    expect(fitThroughput(two, 1e9).fitted).toBe('overhead');
    const fit = fitThroughput(two, 1e9, 2);
    expect(fit.fitted).toBe('line');
    expect(fit.macsPerSecond / 5e10).toBeCloseTo(1, 6);
    expect(fit.overheadSecondsPerImage / 4e-4).toBeCloseTo(1, 6);
  });

  it('fits the overhead alone on networks alike in size, with the documented rate', () => {
    const samples = [1e6, 1.1e6, 1.2e6].map((f) => measured(f, 6e-4, 8.7e10));
    const fit = fitThroughput(samples, 8.7e10);
    expect(fit).toMatchObject({ fitted: 'overhead', macsPerSecond: 8.7e10 });
    expect(fit.overheadSecondsPerImage / 6e-4).toBeCloseTo(1, 6);
  });

  it('raises a documented rate that a measured run beats, and uses it alone without measurements', () => {
    const fast = fitThroughput([measured(4e7, 0, 2e11)], 8.7e10);
    expect(fast.macsPerSecond / 2e11).toBeCloseTo(1, 6);
    expect(fast.overheadSecondsPerImage).toBe(0);
    expect(fitThroughput([], 3.7e7)).toEqual({ macsPerSecond: 3.7e7, overheadSecondsPerImage: 0, fitted: 'overhead' });
  });
});

describe('estimateSeconds', () => {
  const spec = (architecture: object, dataset: object, epochs: number) =>
    ExperimentSpec.parse({ architecture, dataset, training: { epochs, batchSize: 128 } });

  it("costs a ResNet-20 from small demo networks' runs near the engine's own rate, not 20 times over", async () => {
    const cost = createModelCoster();
    const demo = spec(
      { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.5 },
      { name: 'synthetic', trainSize: 256, testSize: 64, imageSize: 16, classes: 4 },
      1,
    );
    const resnet20 = spec(
      { family: 'cifar-resnet', depth: 20 },
      { name: 'synthetic', trainSize: 60_000, testSize: 10_000, imageSize: 28, channels: 1, classes: 10 },
      2,
    );
    const demoFlops = (await cost(demo))!.flops;
    const resnetFlops = (await cost(resnet20))!.flops;
    // The demo net measured 1,500 img/s: mostly overhead, its MACs are a few percent of a ResNet-20's.
    const fit = fitThroughput(
      [1500, 1400, 1600].map((ips) => ({ flops: demoFlops, imagesPerSecond: ips })),
      8.7e10,
    );
    const model = { backend: 'onednn', source: 'test', startupSeconds: 2.5, ...fit };
    const perImage = secondsPerTrainingImage(model, resnetFlops);
    expect(perImage).toBeCloseTo(1 / 1500 + (3 * (resnetFlops - demoFlops)) / 8.7e10, 9);
    // The one-constant estimator this replaced: 1,500 img/s x the demo's MACs as the rate.
    const oneConstant = (3 * resnetFlops) / (1500 * 3 * demoFlops);
    expect(oneConstant / perImage).toBeGreaterThan(10);
    // Each epoch trains 45,000 images and evaluates the 15,000 held out for validation (one forward
    // pass, a third of a training image); the test set is evaluated once at the end.
    const epoch = 45_000 * perImage + (15_000 * perImage) / 3;
    // Plus the run's start-up, once.
    expect(estimateSeconds(resnet20, resnetFlops, model)).toBeCloseTo(2.5 + 2 * epoch + (10_000 * perImage) / 3, 6);
  });

  it("takes a run's start-up as the median of measured runs, ignoring unknown ones, else a documented constant", () => {
    expect(fitStartup([3, null, 1, 2, 10])).toEqual({ seconds: 2.5, measured: 4 });
    expect(fitStartup([4, -1, null, 2, 3])).toEqual({ seconds: 3, measured: 3 });
    expect(fitStartup([null])).toEqual({ seconds: FALLBACK_STARTUP_SECONDS, measured: 0 });
  });
});

describe('throughputFor', () => {
  it("fits on the active slots' calibration runs before any experiment finished on the backend", async () => {
    const cost = createModelCoster();
    const reference = (architecture: object, imageSize: number) =>
      ExperimentSpec.parse({
        architecture: { ...architecture, inputSize: imageSize, inputChannels: 1 },
        dataset: { name: 'synthetic', imageSize, channels: 1 },
      });
    const small = reference({ family: 'cifar-resnet', depth: 8, widthMultiplier: 0.5 }, 16);
    const resnet20 = reference({ family: 'cifar-resnet', depth: 20 }, 28);
    const flops = async (spec: ExperimentSpec) => (await cost(spec))!.flops;
    // A slot that trains at 2e-4 s per image plus 3 x MACs at 6e10 MAC/s.
    const ips = async (spec: ExperimentSpec) => 1 / (2e-4 + (3 * (await flops(spec))) / 6e10);
    const calibration = [
      { spec: small, imagesPerSecond: await ips(small) },
      { spec: resnet20, imagesPerSecond: await ips(resnet20) },
    ];
    const noRuns = { newestBackend: () => Promise.resolve(null), throughputSamples: () => Promise.resolve([]) };
    const model = await throughputFor(
      noRuns,
      cost,
      undefined,
      () => Promise.resolve('onednn'),
      (backend) => Promise.resolve(backend === 'onednn' ? calibration : []),
    );
    expect(model.backend).toBe('onednn');
    expect(model.source).toMatch(/^measured: fitted on 2 calibration runs of the active worker slots on onednn/);
    expect(model.macsPerSecond / 6e10).toBeCloseTo(1, 6);
    expect(model.overheadSecondsPerImage / 2e-4).toBeCloseTo(1, 6);
    // Without them: the documented constant.
    const constant = await throughputFor(noRuns, cost, 'onednn');
    expect(constant.source).toMatch(/^constant/);
  });
});
