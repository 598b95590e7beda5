// The training-parity comparison of docs/training-parity.md: the same recipe in resnet-lab (onednn)
// and in an independent PyTorch implementation, over depths and seeds, then a table of both.
//   npx tsx scripts/reference/parity.ts run --depths 20,32,44,56 --seeds 0,1,2 [--family cifar-resnet]
//   npx tsx scripts/reference/parity.ts report > docs/results/training-parity.md
//   npx tsx scripts/reference/parity.ts shared --depths 44 --seeds 0,3   (then: shared-report)
// `shared` starts PyTorch from resnet-lab's own initial weights, data and data order
// (export-state.ts), once as is and once with every weight perturbed by 1e-6 (relative): how far
// resnet-lab and PyTorch drift apart is then measured against how far float32 noise alone drifts;
// and resnet-lab runs the seed once more with dropLastBatch.
// Each run writes .run/parity/<impl>-<family>-<depth>-s<seed>.jsonl (one line per epoch) and is
// skipped when its file is complete, so an interrupted comparison continues where it stopped.
// Runs are interleaved (ours, then PyTorch, per seed) so that machine noise hits both alike.
// PyTorch is optional (Debian: apt-get install python3-torch); without it only ours run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, '.run/parity');
const sharedDir = join(outDir, 'shared');
const stateDir = (family: string, depth: number, seed: number) => join(outDir, 'state', `${family}-${depth}-s${seed}`);
const SHARED_IMPLS = ['resnet-lab', 'pytorch', 'pytorch-perturbed'];
/** The same seed without each epoch's last, incomplete batch (training.dropLastBatch). */
const DROP_LAST = 'resnet-lab-drop-last';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    depths: { type: 'string', default: '44' },
    seeds: { type: 'string', default: '0,1,2' },
    family: { type: 'string', default: 'cifar-resnet' },
    epochs: { type: 'string', default: '12' },
    impls: { type: 'string', default: 'resnet-lab,pytorch' },
  },
});

type Epoch = { epoch: number; trainError: number; validationError: number; trainLoss: number };

function fileOf(impl: string, family: string, depth: number, seed: number): string {
  return join(outDir, `${impl}-${family}-${depth}-s${seed}.jsonl`);
}

function readRun(file: string): Epoch[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Epoch);
}

/** Debian's python3-torch installs for the system interpreter, which a pyenv shim may hide. */
const PYTHON = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runOne(impl: string, family: string, depth: number, seed: number, epochs: number, file?: string): void {
  file ??= fileOf(impl, family, depth, seed);
  if (readRun(file).length >= epochs) return;
  const args = ['--family', family, '--depth', String(depth), '--seed', String(seed), '--epochs', String(epochs)];
  if (file.startsWith(sharedDir)) {
    args.push('--steps-out', file.replace(/\.jsonl$/, '.steps.jsonl'));
    if (impl.startsWith('pytorch')) args.push('--state', stateDir(family, depth, seed));
    if (impl === 'pytorch-perturbed') args.push('--perturb', '1e-6');
    if (impl === DROP_LAST) args.push('--drop-last');
  }
  const [cmd, cmdArgs] = impl.startsWith('resnet-lab')
    ? [process.execPath, ['--import', 'tsx', join(root, 'scripts/reference/resnet-lab-run.ts'), ...args]]
    : [PYTHON, [join(root, 'scripts/reference/torch_reference.py'), ...args]];
  console.error(`${new Date().toISOString()} ${impl} ${family}-${depth} seed ${seed}`);
  const started = Date.now();
  const child = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`${impl} ${depth}/${seed} failed:\n${child.stderr}`);
  // The run's own notes (backend, subnormal counts) beside its curve.
  writeFileSync(`${file.replace(/\.jsonl$/, '')}.log`, child.stderr);
  writeFileSync(`${file}.tmp`, child.stdout);
  renameSync(`${file}.tmp`, file);
  console.error(`  done in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

function meanStd(xs: number[]): string {
  if (xs.length === 0) return '–';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return xs.length > 1 ? `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}` : `${(100 * mean).toFixed(1)}`;
}

/** Largest rise of the training error from one epoch to the next (a loss spike shows here). */
function largestJump(run: Epoch[]): number {
  let jump = 0;
  for (let i = 1; i < run.length; i++) jump = Math.max(jump, run[i]!.trainError - run[i - 1]!.trainError);
  return jump;
}

function report(): string {
  const runs = new Map<string, Map<string, Epoch[]>>();
  for (const name of existsSync(outDir) ? readdirSync(outDir) : []) {
    const m = /^(resnet-lab|pytorch)-(.+)-(\d+)-s(\d+)\.jsonl$/.exec(name);
    if (!m) continue;
    const key = `${m[2]}-${m[3]}`;
    if (!runs.has(key)) runs.set(key, new Map());
    runs.get(key)!.set(`${m[1]}/${m[4]}`, readRun(join(outDir, name)));
  }
  const lines: string[] = [];
  for (const [net, byRun] of [...runs].sort()) {
    lines.push(`### ${net}`, '');
    const impls = ['resnet-lab', 'pytorch'];
    const epochs = Math.max(...[...byRun.values()].map((r) => r.length));
    lines.push('| impl | seed | training error % per epoch | final val % | largest epoch-to-epoch rise |');
    lines.push('|---|---|---|---|---|');
    for (const impl of impls) {
      for (const [k, run] of [...byRun].sort()) {
        if (!k.startsWith(`${impl}/`)) continue;
        const curve = run.map((e) => (100 * e.trainError).toFixed(1)).join(' ');
        const last = run[run.length - 1];
        const val = last ? (100 * last.validationError).toFixed(1) : '–';
        lines.push(`| ${impl} | ${k.split('/')[1]} | ${curve} | ${val} | ${(100 * largestJump(run)).toFixed(1)} |`);
      }
    }
    lines.push('', '| impl | n | final training error % (mean ± std) | final validation % | largest rise % |');
    lines.push('|---|---|---|---|---|');
    for (const impl of impls) {
      const done = [...byRun].filter(([k, r]) => k.startsWith(`${impl}/`) && r.length === epochs).map(([, r]) => r);
      if (done.length === 0) continue;
      lines.push(
        `| ${impl} | ${done.length} | ${meanStd(done.map((r) => r[r.length - 1]!.trainError))} | ` +
          `${meanStd(done.map((r) => r[r.length - 1]!.validationError))} | ${meanStd(done.map(largestJump))} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

type Step = { step: number; loss: number };

function readSteps(file: string): Step[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Step);
}

/** Per epoch, the mean |loss difference| of the same iteration in two runs. */
function drift(a: Step[], b: Step[], stepsPerEpoch: number): string[] {
  const n = Math.min(a.length, b.length);
  const out: string[] = [];
  for (let start = 0; start < n; start += stepsPerEpoch) {
    let sum = 0;
    const end = Math.min(n, start + stepsPerEpoch);
    for (let i = start; i < end; i++) sum += Math.abs(a[i]!.loss - b[i]!.loss);
    out.push((sum / (end - start)).toFixed(3));
  }
  return out;
}

/** Per complete epoch, the last iteration's loss over the mean of the others'. */
function lastBatchRatio(steps: Step[], stepsPerEpoch: number): string[] {
  const out: string[] = [];
  for (let start = 0; start + stepsPerEpoch <= steps.length; start += stepsPerEpoch) {
    const others = steps.slice(start, start + stepsPerEpoch - 1);
    const mean = others.reduce((sum, s) => sum + s.loss, 0) / others.length;
    out.push((steps[start + stepsPerEpoch - 1]!.loss / mean).toFixed(2));
  }
  return out;
}

function sharedReport(): string {
  const lines: string[] = [];
  const names = existsSync(sharedDir) ? readdirSync(sharedDir) : [];
  const nets = new Set(names.flatMap((n) => /^pytorch-(?!perturbed-)(.+-s\d+)\.jsonl$/.exec(n)?.[1] ?? []));
  for (const net of [...nets].sort()) {
    const file = (impl: string) => join(sharedDir, `${impl}-${net}.jsonl`);
    const stepsOf = (impl: string) => readSteps(file(impl).replace(/\.jsonl$/, '.steps.jsonl'));
    lines.push(`### ${net}, one shared start`, '');
    lines.push('| run | training error % per epoch | final val % | largest rise |', '|---|---|---|---|');
    for (const impl of [...SHARED_IMPLS, DROP_LAST]) {
      const run = readRun(file(impl));
      if (run.length === 0) continue;
      const curve = run.map((e) => (100 * e.trainError).toFixed(1)).join(' ');
      const val = (100 * run[run.length - 1]!.validationError).toFixed(1);
      lines.push(`| ${impl} | ${curve} | ${val} | ${(100 * largestJump(run)).toFixed(1)} |`);
    }
    const meta = JSON.parse(readFileSync(join(stateDir(...splitNet(net)), 'meta.json'), 'utf8')) as {
      trainCount: number;
    };
    const stepsPerEpoch = Math.ceil(meta.trainCount / 128);
    lines.push('', "Mean |difference| of the same iteration's training loss, per epoch:", '');
    lines.push('| pair | per epoch |', '|---|---|');
    const pairs = [
      ['resnet-lab', 'pytorch'],
      ['pytorch', 'pytorch-perturbed'],
      ['resnet-lab', 'pytorch-perturbed'],
    ] as const;
    for (const [a, b] of pairs) {
      const d = drift(stepsOf(a), stepsOf(b), stepsPerEpoch);
      if (d.length > 0) lines.push(`| ${a} vs ${b} | ${d.join(' ')} |`);
    }
    const last = meta.trainCount - (stepsPerEpoch - 1) * 128;
    lines.push('', `Loss of each epoch's last batch (${last} images) / mean loss of its other batches:`, '');
    lines.push('| run | per epoch |', '|---|---|');
    for (const impl of SHARED_IMPLS) {
      const r = lastBatchRatio(stepsOf(impl), stepsPerEpoch);
      if (r.length > 0) lines.push(`| ${impl} | ${r.join(' ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function splitNet(net: string): [string, number, number] {
  const m = /^(.+)-(\d+)-s(\d+)$/.exec(net)!;
  return [m[1]!, Number(m[2]), Number(m[3])];
}

function exportState(family: string, depth: number, seed: number, epochs: number): void {
  const dir = stateDir(family, depth, seed);
  if (existsSync(join(dir, 'meta.json'))) return;
  const args = ['--family', family, '--depth', String(depth), '--seed', String(seed), '--epochs', String(epochs)];
  const script = join(root, 'scripts/reference/export-state.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, ...args, '--out', dir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`export-state failed:\n${child.stderr}`);
}

if (positionals[0] === 'report') {
  console.log(report());
} else if (positionals[0] === 'shared-report') {
  console.log(sharedReport());
} else if (positionals[0] === 'shared') {
  if (!hasTorch()) throw new Error('the shared-start comparison needs PyTorch (apt-get install python3-torch)');
  mkdirSync(sharedDir, { recursive: true });
  const epochs = Number(values.epochs);
  for (const depth of values.depths.split(',').map(Number)) {
    for (const seed of values.seeds.split(',').map(Number)) {
      exportState(values.family, depth, seed, epochs);
      for (const impl of [...SHARED_IMPLS, DROP_LAST]) {
        runOne(
          impl,
          values.family,
          depth,
          seed,
          epochs,
          join(sharedDir, `${impl}-${values.family}-${depth}-s${seed}.jsonl`),
        );
      }
    }
  }
  console.log(sharedReport());
} else {
  mkdirSync(outDir, { recursive: true });
  const impls = values.impls.split(',').filter((i) => i !== 'pytorch' || hasTorch());
  if (!values.impls.split(',').every((i) => impls.includes(i))) console.error('PyTorch not found: resnet-lab only');
  for (const depth of values.depths.split(',').map(Number)) {
    for (const seed of values.seeds.split(',').map(Number)) {
      for (const impl of impls) runOne(impl, values.family, depth, seed, Number(values.epochs));
    }
  }
  console.log(report());
}
