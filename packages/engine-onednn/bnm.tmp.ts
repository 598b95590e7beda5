import { loadAddon } from './src/addon';
const l = loadAddon(); if (!l.ok) throw new Error(l.reason); const a = l.addon;
a.setNumThreads(Number(process.env.TH ?? 2));
const time = (name: string, f: () => void) => { for (let i = 0; i < 5; i++) f(); const ts: number[] = []; for (let i = 0; i < 40; i++) { const t = performance.now(); f(); ts.push(performance.now() - t); } ts.sort((p, q) => p - q); return ts[20]!.toFixed(3); };
for (const [h, c] of [[32, 16], [16, 32], [8, 64]] as const) {
  const N = 128 * h * h * c;
  const x = new Float32Array(N).map(() => Math.random()), y = new Float32Array(N), dy = new Float32Array(N).map(() => Math.random()), dx = new Float32Array(N);
  const g = new Float32Array(c).fill(1), b = new Float32Array(c), m = new Float32Array(c), v = new Float32Array(c), dg = new Float32Array(c), db = new Float32Array(c);
  const fwd = time('fwd', () => a.batchNormTraining(x, g, b, y, m, v, 128, h, h, c, 1e-5));
  const bwd = time('bwd', () => a.batchNormTrainingGrad(x, dy, g, b, m, v, dx, dg, db, 128, h, h, c, 1e-5));
  const relu = time('relu', () => a.relu(x, y));
  const rg = time('relugrad', () => a.reluGrad(dy, x, dx));
  const add = time('add', () => a.binary(0, x, Int32Array.from([N]), dy, Int32Array.from([N]), y, Int32Array.from([N])));
  console.log(`${h}x${h}x${c}: bn fwd ${fwd} bwd ${bwd} relu ${relu} reluGrad ${rg} add ${add}`);
}
