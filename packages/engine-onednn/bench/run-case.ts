// One benchmark case in its own process (so peak RSS is per case): builds a model from the zoo,
// runs warm-up and timed training steps on one backend, prints one JSON line.
//   tsx packages/engine-onednn/bench/run-case.ts <model> <backend> <batch> <warmup> <steps>
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { batchNormalization } from '../src/native-batch-normalization';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { onednnInfo, registerOnednnBackend } from '../src/index';
import { makeTrainingStep } from './training-step';

export const MODELS = {
  'resnet20-cifar': {
    arch: { family: 'cifar-resnet', depth: 20, shortcut: 'A', shortcutKernel: 1, widthMultiplier: 1 },
    size: 32,
    channels: 3,
    classes: 10,
  },
  'lenet5-mnist': {
    arch: { family: 'lenet5', depth: 5, inputSize: 28, inputChannels: 1, numClasses: 10 },
    size: 28,
    channels: 1,
    classes: 10,
  },
  'resnet18-imagenet': {
    arch: { family: 'resnet', depth: 18, shortcut: 'B', shortcutKernel: 1, widthMultiplier: 1 },
    size: 224,
    channels: 3,
    classes: 1000,
  },
} as const;

export type CaseResult = {
  model: string;
  backend: string;
  batch: number;
  steps: number;
  medianMs: number;
  minMs: number;
  imagesPerSecond: number;
  peakRssMiB: number;
  loss: number;
  detail?: string;
};

async function selectBackend(name: string): Promise<string | undefined> {
  if (name === 'onednn') {
    const r = registerOnednnBackend();
    if (!r.ok) return r.reason;
  } else if (name === 'tensorflow') {
    try {
      // A variable specifier: the optional package may be absent, and its types with it.
      const optionalPackage: string = '@tensorflow/tfjs-node';
      await import(optionalPackage);
    } catch {
      return '@tensorflow/tfjs-node not installed';
    }
  }
  await tf.setBackend(name);
  return undefined;
}

async function main() {
  const [modelName, backendName, batchArg, warmupArg, stepsArg] = process.argv.slice(2);
  const spec = MODELS[modelName as keyof typeof MODELS];
  if (!spec || !backendName)
    throw new Error(`usage: run-case <${Object.keys(MODELS).join('|')}> <backend> <batch> <warmup> <steps>`);
  const batch = Number(batchArg);
  const unavailable = await selectBackend(backendName);
  if (unavailable) {
    console.log(JSON.stringify({ model: modelName, backend: backendName, unavailable }));
    return;
  }
  const model = buildModel(ArchitectureSpec.parse(spec.arch), { seed: 1, batchNormLayer: batchNormalization });
  const xs = tf.randomNormal([batch, spec.size, spec.size, spec.channels], 0, 1, 'float32', 3);
  const labels = tf.tidy(() =>
    tf.oneHot(tf.randomUniform([batch], 0, spec.classes, 'int32', 4), spec.classes).toFloat(),
  );
  const trainer = makeTrainingStep(model, { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
  let loss = NaN;
  for (let i = 0; i < Number(warmupArg); i++) loss = trainer.step(xs, labels);
  const times: number[] = [];
  for (let i = 0; i < Number(stepsArg); i++) {
    const t0 = performance.now();
    loss = trainer.step(xs, labels);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(times.length / 2)]!;
  const info = backendName === 'onednn' ? onednnInfo() : null;
  const result: CaseResult = {
    model: modelName!,
    backend: backendName,
    batch,
    steps: times.length,
    medianMs,
    minMs: times[0]!,
    imagesPerSecond: (batch * 1000) / medianMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    loss,
    detail: info ? `oneDNN ${info.version}, ${info.threads} threads` : undefined,
  };
  console.log(JSON.stringify(result));
}

if (process.argv[1]?.endsWith('run-case.ts')) await main();
