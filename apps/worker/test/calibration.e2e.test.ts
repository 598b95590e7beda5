import { describe, expect, it } from 'vitest';
import { useStack, waitFor } from '@resnet-lab/testing';

/**
 * Calibration over the real processes: a worker started with WORKER_CALIBRATE=1 trains three
 * reference networks per slot on its backend before taking jobs and reports their images/s with
 * its heartbeat; a dry run on a database where nothing has finished then costs with those
 * measurements instead of the documented constant.
 */
const fixture = useStack({ workerEnv: { WORKER_CALIBRATE: '1', TRAINER_BACKEND: 'onednn' } });
const { api, withLogs } = fixture;

interface Sample {
  spec: { name: string; architecture: { depth: number } };
  imagesPerSecond: number;
  evaluationImagesPerSecond?: number;
}

describe('slot calibration end to end', () => {
  it('measures reference networks at start, reports them, and the dry run costs with them', async () => {
    const calibration = await waitFor(
      async () => {
        const workers = (await api('/v1/workers')).body.workers as { slots: { calibration: unknown }[] }[];
        return (workers[0]?.slots[0]?.calibration ?? undefined) as
          { backend: string; measuredAt: string; samples: Sample[] } | undefined;
      },
      { timeoutMs: 240_000, what: 'a calibrated slot' },
    ).catch((e: Error) => {
      throw withLogs(e);
    });
    expect(calibration.backend).toBe('onednn');
    expect(Date.parse(calibration.measuredAt)).toBeGreaterThan(Date.now() - 600_000);
    const [small, resnet20, deepNarrow] = calibration.samples;
    expect(calibration.samples).toHaveLength(3);
    expect(resnet20!.spec.architecture.depth).toBe(20);
    expect(deepNarrow!.spec.architecture.depth).toBe(56);
    for (const s of calibration.samples) {
      expect(s.imagesPerSecond).toBeGreaterThan(0);
      expect(s.evaluationImagesPerSecond).toBeGreaterThan(0);
    }
    // ResNet-20 at 28x28 does about 40 times the multiply-adds of the narrow ResNet-8 at 16x16.
    expect(resnet20!.imagesPerSecond).toBeLessThan(small!.imagesPerSecond);

    // Nothing has finished here: without the calibration the estimate would be the constant.
    const dry = await api('/v1/grids?dryRun=true', {
      method: 'POST',
      body: { base: resnet20!.spec, axes: { 'training.seed': [1] } },
    });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    const estimate = dry.body.estimate;
    expect(estimate.backend).toBe('onednn');
    expect(estimate.source).toMatch(/^measured: fitted on 3 calibration runs of the active worker slots on onednn/);
    expect(estimate.evaluation).not.toBeNull();
    // Three terms fitted on three references, each far apart from the others in layers or in
    // multiply-adds: the fit gives back ResNet-20's own time per image (a noisy measurement can
    // push a coefficient below 0, which the fit then drops: within 30%, not exactly).
    const described = await api('/v1/architectures/describe', { method: 'POST', body: resnet20!.spec.architecture });
    const layers = (described.body.layers as unknown[]).length;
    const perImage =
      estimate.overheadSecondsPerImage +
      (estimate.layerSecondsPerStep * layers) / 128 +
      (3 * described.body.flops) / estimate.macsPerSecond;
    expect(perImage * resnet20!.imagesPerSecond).toBeGreaterThan(0.7);
    expect(perImage * resnet20!.imagesPerSecond).toBeLessThan(1.3);
  });
});
