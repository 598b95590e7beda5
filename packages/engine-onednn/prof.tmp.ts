import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { registerOnednnBackend } from './src/index';
import { makeTrainingStep } from './bench/training-step';
import { MODELS } from './bench/run-case';
registerOnednnBackend({ threads: Number(process.env.TH ?? 1) });
await tf.setBackend('onednn');
const spec = MODELS[process.argv[2] as keyof typeof MODELS]; const B = Number(process.argv[3] ?? 128);
const model = buildModel(ArchitectureSpec.parse(spec.arch), { seed: 1 });
const xs = tf.randomNormal([B, spec.size, spec.size, spec.channels]); const ys = tf.oneHot(tf.randomUniform([B], 0, spec.classes, 'int32'), spec.classes).toFloat();
const s = makeTrainingStep(model);
for (let i = 0; i < 3; i++) s.step(xs, ys);
const prof = await tf.profile(() => { s.step(xs, ys); });
const agg = new Map<string, number>();
for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...agg].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('\n'));
console.log("kernel total", [...agg].filter(([k]) => !k.endsWith("__op")).reduce((a, [, v]) => a + v, 0).toFixed(1), "kernels", prof.kernels.length);
const t = performance.now(); for (let i = 0; i < 5; i++) s.step(xs, ys); console.log('step ms', (performance.now() - t) / 5);
const b = tf.backend() as any; const before = b.freshPoolableAllocations; s.step(xs, ys); console.log('fresh allocations in one step', b.freshPoolableAllocations - before, 'pooled MiB', b.pooledByteCount() / 2 ** 20);
const prof2 = await tf.profile(() => { s.step(xs, ys); });
const byShape = new Map<string, [number, number]>();
for (const k of prof2.kernels) { if (!['Sub', 'Multiply', 'Add', 'Identity', 'Reshape', 'Cast'].includes(k.name)) continue; const key = k.name + ' ' + JSON.stringify(k.inputShapes); const e = byShape.get(key) ?? [0, 0]; e[0]++; e[1] += k.kernelTimeMs as number; byShape.set(key, e); }
console.log([...byShape].sort((a, b) => b[1][1] - a[1][1]).slice(0, 12).map(([k, [n, t]]) => `${k} x${n} ${t.toFixed(2)}ms`).join('\n'));
const names = new Map<string, number>(); for (const k of prof2.kernels) names.set(k.name, (names.get(k.name) ?? 0) + 1); console.log([...names].sort((a, b) => b[1] - a[1]).slice(0, 15));
{ const r0 = process.resourceUsage(); const t0 = performance.now(); for (let i = 0; i < 5; i++) s.step(xs, ys); const r1 = process.resourceUsage(); console.log('per step: minor faults', (r1.minorPageFault - r0.minorPageFault) / 5, 'major', (r1.majorPageFault - r0.majorPageFault) / 5, 'ms', (performance.now() - t0) / 5); }
