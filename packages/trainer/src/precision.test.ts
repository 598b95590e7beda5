// training.precision: bf16 trains on the native engine within bfloat16's rounding of fp32, says so
// in the checkpoint's numerics, and leaves the engine in fp32; where it cannot run, the experiment
// fails naming the field instead of silently training in fp32.
import { describe, expect, it } from 'vitest';
import { bf16Supported, convPrecision, isOnednnAvailable } from '@resnet-lab/engine-onednn';
import { ExperimentSpec, type TrainerEvent, resolveExperiment } from '@resnet-lab/spec';
import { decodeCheckpoint, runTraining, TrainingError } from './index';

const BF16 = isOnednnAvailable() && bf16Supported();
const BF16_NOTE = BF16 ? '' : ' [skipped: no oneDNN engine with native bf16 (AVX512_BF16 or AMX) here]';

const specWith = (precision: 'fp32' | 'bf16') =>
  ExperimentSpec.parse({
    architecture: { family: 'cifar-resnet', depth: 8 },
    dataset: { name: 'synthetic', trainSize: 96, testSize: 16, validationSplit: 32 },
    training: { epochs: 1, batchSize: 32, logEverySteps: 1, evaluateTest: 'never', precision },
  });

async function train(precision: 'fp32' | 'bf16', backend: string) {
  const events: TrainerEvent[] = [];
  await runTraining({
    experiment: resolveExperiment(specWith(precision)),
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
    backend,
  });
  const started = events.find((e) => e.type === 'started');
  const losses = events.flatMap((e) => (e.type === 'progress' ? [e.loss] : []));
  const checkpoint = events.flatMap((e) => (e.type === 'epoch' && e.checkpoint ? [e.checkpoint.bytes] : []))[0]!;
  const reason = started?.type === 'started' ? started.backendReason : undefined;
  return { losses, reason, numerics: decodeCheckpoint(checkpoint).header.numerics };
}

describe('training.precision', () => {
  it('fails bf16 on a backend without the native engine, naming the field', async () => {
    const run = train('bf16', 'cpu');
    await expect(run).rejects.toBeInstanceOf(TrainingError);
    await expect(run).rejects.toThrow(/training\.precision "bf16" needs the onednn backend; this run got cpu/);
  });

  it.skipIf(!BF16)(`trains bf16 within bfloat16 rounding of fp32 and records it${BF16_NOTE}`, async () => {
    const fp32 = await train('fp32', 'onednn');
    const bf16 = await train('bf16', 'onednn');
    expect(convPrecision()).toBe('fp32');
    expect(fp32.numerics).not.toMatch(/bf16 convolutions/);
    expect(bf16.numerics).toMatch(/^onednn: .*, bf16 convolutions$/);
    expect(bf16.reason).toMatch(/; bf16 convolutions$/);
    expect(bf16.losses).toHaveLength(2);
    // The first step starts from the same weights: only the multiply's rounding differs.
    const first = Math.abs(bf16.losses[0]! - fp32.losses[0]!) / fp32.losses[0]!;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(2e-2);
    expect(Math.abs(bf16.losses[1]! - fp32.losses[1]!) / fp32.losses[1]!).toBeLessThan(5e-2);
  });
});
