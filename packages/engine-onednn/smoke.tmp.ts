import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { registerOnednnBackend } from './src/index';
import { makeTrainingStep } from './bench/training-step';
console.log(registerOnednnBackend({ threads: Number(process.env.TH ?? 2) }));
await tf.setBackend('onednn');
const model = buildModel({ family: 'cifar-resnet', depth: 20, shortcut: 'A', shortcutKernel: 1, widthMultiplier: 1 } as never);
const B = 128;
const xs = tf.randomNormal([B, 32, 32, 3]); const ys = tf.oneHot(tf.randomUniform([B], 0, 10, 'int32'), 10).toFloat();
const s = makeTrainingStep(model);
for (let i = 0; i < 3; i++) { const t = performance.now(); const l = s.step(xs, ys); console.log('warm', l, performance.now() - t); }
const ts: number[] = [];
for (let i = 0; i < 5; i++) { const t = performance.now(); s.step(xs, ys); ts.push(performance.now() - t); }
ts.sort((a,b)=>a-b); console.log('median ms', ts[2], 'img/s', B / ts[2]! * 1000, tf.memory().numTensors);
if (process.env.PROF) { const prof = await tf.profile(() => { s.step(xs, ys); });
const agg = new Map<string, number>();
  for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...agg].sort((a, b) => b[1] - a[1]).slice(0, 25));}
